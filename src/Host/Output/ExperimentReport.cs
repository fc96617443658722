using System.Globalization;
using System.Text;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;
using Phyr.Domain.Results;

namespace Phyr.Host.Output;

/// <summary>
/// report.md of an experiment: a table of its points (the headline metrics, or the descriptor formats' bytes for a layout
/// experiment), the findings in a sentence each, each axis's effect, the plots, the combinations not run and the errors.
/// </summary>
public static class ExperimentReport
{
    public static string Markdown(Experiment e, IReadOnlyList<PointResult> done, IReadOnlyList<(string File, string Title)>? figures = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {e.Name}");
        sb.AppendLine();
        sb.AppendLine($"Seed {e.Seed}; {done.Count} of {e.Points.Count} points" + (done.Count < e.Points.Count ? " (interrupted or running)" : "") +
                      ". Simulated figures: the same on any machine. Every metric is in results.json and results.csv.");
        sb.AppendLine();
        var formats = done.Count > 0 ? done[0].Result.Metrics.Select(m => m.Name).Where(n => Metric.FormatOf(n) is not null).ToList() : [];
        // A layout experiment tabulates the formats; the others the headline metrics.
        var shown = formats.Count > 0
            ? [Metric.LayoutRanges.Name, .. formats]
            : Metric.ReportColumns.Select(m => m.Name).Where(m => done.Count > 0 && done[0].Result.Metrics.Any(x => x.Name == m)).ToList();
        if (formats.Count > 0) sb.AppendLine("Bytes each descriptor format needs to describe the region (CPU 0's), and the physical ranges it has:\n");
        sb.AppendLine("| " + string.Join(" | ", e.AxisKeys.Append("rep").Concat(shown.Select(m => Metric.FormatOf(m) ?? m))) + " |");
        sb.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", e.AxisKeys.Count + 1)) + string.Concat(Enumerable.Repeat("---:|", shown.Count)));
        foreach (var p in done)
            sb.AppendLine("| " + string.Join(" | ", p.Point.Axes.Select(a => a.Value).Append(p.Point.Repetition.ToString(CultureInfo.InvariantCulture))
                .Concat(shown.Select(m => p.Result[m].ToString("#,0.###", CultureInfo.InvariantCulture)))) + " |");
        var findings = ExperimentFindings.Sentences(e, done, formats);
        if (findings.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Findings");
            sb.AppendLine();
            foreach (var f in findings) sb.AppendLine($"- {f}");
        }
        var effects = ExperimentFindings.EffectTable(e, done);
        if (effects.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Effect of each axis");
            sb.AppendLine();
            sb.AppendLine("Ratio of a metric after the change to before it, over pairs of points that differ only in that axis " +
                          "(geometric mean, then the smallest and largest pair).");
            sb.AppendLine();
            sb.AppendLine("| axis | change | metric | pairs | ratio | min | max |");
            sb.AppendLine("|---|---|---|---:|---:|---:|---:|");
            foreach (var x in effects)
                sb.AppendLine($"| {x.Axis} | {x.From} → {x.To} | {x.Metric} | {x.Pairs} | {ExperimentFindings.R(x.GeoMean)} | {ExperimentFindings.R(x.Min)} | {ExperimentFindings.R(x.Max)} |");
        }
        foreach (var (file, title) in figures ?? [])
        {
            sb.AppendLine();
            sb.AppendLine($"![{title}]({file})");
        }
        if (e.Skipped.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Combinations not run");
            sb.AppendLine();
            sb.AppendLine("The model refuses these combinations of the axes (`invalid-points = skip`):");
            sb.AppendLine();
            foreach (var k in e.Skipped) sb.AppendLine($"- {k.Label}: {k.Reason}");
        }
        var errors = done.SelectMany(p => p.Result.Errors.Select(err => $"- point {p.Point.Index} ({p.Point.Label}): {err}")).ToList();
        if (errors.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Errors");
            foreach (var err in errors) sb.AppendLine(err);
        }
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;

namespace Phyr.Host.Commands;

/// <summary>
/// An experiment's files: results.json (per point: axes and metrics; host figures apart), results.csv and
/// report.md. Rewritten whole after every finished point (each written then renamed), so an interrupted run
/// leaves the finished points on disk.
/// </summary>
public static class ExperimentOutput
{
    /// <summary>The metrics report.md tabulates (all of them are in results.json and results.csv).</summary>
    private static readonly string[] ReportMetrics =
        ["sim_time_ns", "pin_ns_per_page", "gup_calls", "ptl_acquisitions", "mmap_lock_wait_ns_p99", "cacheline_transfers", "descriptor_bytes_peak", "iops"];

    /// <summary>Writes the result files; with <paramref name="plots"/>, the PNG plots too (embedded in report.md).</summary>
    public static void Write(string dir, Experiment e, IReadOnlyList<PointResult> done, double wallSeconds, int parallelism, bool plots = false)
    {
        Directory.CreateDirectory(dir);
        Atomic(Path.Combine(dir, "results.json"), Json(e, done, wallSeconds, parallelism));
        Atomic(Path.Combine(dir, "results.csv"), Csv(e, done));
        var figures = plots ? ExperimentPlots.Write(dir, e, done) : [];
        Atomic(Path.Combine(dir, "report.md"), Report(e, done, figures));
    }

    private static void Atomic(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static string Json(Experiment e, IReadOnlyList<PointResult> done, double wallSeconds, int parallelism)
    {
        var written = JsonText.Indented(w =>
        {
            w.WriteStartObject();
            w.WriteString("experiment", e.Name);
            w.WriteNumber("seed", e.Seed);
            w.WriteStartArray("axes");
            foreach (var a in e.AxisKeys) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteNumber("repetitions", e.Repetitions);
            w.WriteNumber("points_total", e.Points.Count);
            w.WriteNumber("points_done", done.Count);
            w.WriteStartArray("points");
            foreach (var p in done)
            {
                w.WriteStartObject();
                w.WriteNumber("index", p.Point.Index);
                w.WriteStartObject("axes");
                foreach (var (k, v) in p.Point.Axes) w.WriteString(k, v);
                w.WriteEndObject();
                w.WriteNumber("repetition", p.Point.Repetition);
                w.WriteNumber("seed", p.Point.Seed);
                w.WriteString("digest", p.Result.Digest.ToString("x16"));
                w.WriteStartObject("metrics");
                foreach (var (name, value) in p.Result.Metrics) w.WriteNumber(name, value);
                w.WriteEndObject();
                w.WriteStartArray("errors");
                foreach (var err in p.Result.Errors) w.WriteStringValue(err);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("skipped");
            foreach (var k in e.Skipped)
            {
                w.WriteStartObject();
                w.WriteStartObject("axes");
                foreach (var (key, v) in k.Axes) w.WriteString(key, v);
                w.WriteEndObject();
                w.WriteString("reason", k.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("host");
            w.WriteNumber("wall_time_s", Math.Round(wallSeconds, 3));
            w.WriteNumber("parallelism", parallelism);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        return written;
    }

    public static string Csv(Experiment e, IReadOnlyList<PointResult> done)
    {
        var sb = new StringBuilder();
        var metrics = done.Count > 0 ? done[0].Result.Metrics.Select(m => m.Name).ToList() : [];
        sb.AppendLine(string.Join(",", new[] { "index" }.Concat(e.AxisKeys).Append("repetition").Append("seed").Concat(metrics)));
        foreach (var p in done)
            sb.AppendLine(string.Join(",", new[] { p.Point.Index.ToString(CultureInfo.InvariantCulture) }
                .Concat(p.Point.Axes.Select(a => Quote(a.Value)))
                .Append(p.Point.Repetition.ToString(CultureInfo.InvariantCulture))
                .Append(p.Point.Seed.ToString(CultureInfo.InvariantCulture))
                .Concat(p.Result.Metrics.Select(m => m.Value.ToString("R", CultureInfo.InvariantCulture)))));
        return sb.ToString();
    }

    public const string FormatPrefix = "format_bytes_";


    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;

    public static string Report(Experiment e, IReadOnlyList<PointResult> done, IReadOnlyList<(string File, string Title)>? figures = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {e.Name}");
        sb.AppendLine();
        sb.AppendLine($"Seed {e.Seed}; {done.Count} of {e.Points.Count} points" + (done.Count < e.Points.Count ? " (interrupted or running)" : "") +
                      ". Simulated figures: the same on any machine. Every metric is in results.json and results.csv.");
        sb.AppendLine();
        var formats = done.Count > 0 ? done[0].Result.Metrics.Select(m => m.Name).Where(n => n.StartsWith(FormatPrefix, StringComparison.Ordinal)).ToList() : [];
        // A layout experiment tabulates the formats; the others the headline metrics.
        var shown = formats.Count > 0
            ? ["layout_ranges", .. formats]
            : ReportMetrics.Where(m => done.Count > 0 && done[0].Result.Metrics.Any(x => x.Name == m)).ToList();
        if (formats.Count > 0) sb.AppendLine("Bytes each descriptor format needs to describe the region (CPU 0's), and the physical ranges it has:\n");
        sb.AppendLine("| " + string.Join(" | ", e.AxisKeys.Append("rep").Concat(shown.Select(m => m.StartsWith(FormatPrefix, StringComparison.Ordinal)
            ? m[FormatPrefix.Length..].Replace('_', '-') : m))) + " |");
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

using System.Globalization;
using System.Text;
using Phyr.Host.Output;

namespace Phyr.Host.Validation;

/// <summary>The outputs of <c>phyr validate</c>: the table, results.json, report.md and the log-log plot of simulated against published.</summary>
public static class ValidationReport
{
    private static string F(double v) => v.ToString(v >= 100 ? "F0" : "0.###", CultureInfo.InvariantCulture);

    public static string Table(IReadOnlyList<ValidationRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{"case",-46} {"set",-11} {"measure",-7} {"published",12} {"simulated",12} {"ratio",7}");
        foreach (var r in rows)
            sb.AppendLine($"{r.Case.Name,-46} {Set(r),-11} {r.Measure,-7} {F(r.Published),12} {F(r.Simulated),12} {r.Ratio.ToString("F3", CultureInfo.InvariantCulture),7}{Mark(r)}");
        sb.Append(Summary(rows));
        return sb.ToString();
    }

    private static string Set(ValidationRow r) => r.Case.Set == ValidationSet.Calibration ? "calibration" : "validation";

    private static string Mark(ValidationRow r) =>
        r.Case.Set == ValidationSet.Calibration ? (r.Within(ValidationRun.CalibrationTolerance) ? "" : "  OUTSIDE ±25%")
        : !r.WithinFactor(2) ? "  beyond 2x" : !r.Within(ValidationRun.ValidationTolerance) ? "  beyond ±35%" : "";

    public static string Summary(IReadOnlyList<ValidationRow> rows)
    {
        var cal = rows.Where(r => r.Case.Set == ValidationSet.Calibration).ToList();
        var val = rows.Where(r => r.Case.Set == ValidationSet.Validation).ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"calibration: {cal.Count(r => r.Within(ValidationRun.CalibrationTolerance))} of {cal.Count} within ±25%");
        sb.AppendLine($"validation: {val.Count(r => r.Within(ValidationRun.ValidationTolerance))} of {val.Count} within ±35%, " +
                      $"{val.Count(r => r.WithinFactor(2))} of {val.Count} within 2x; geometric mean ratio {F(GeoMean(val))}");
        return sb.ToString();
    }

    private static double GeoMean(IReadOnlyList<ValidationRow> rows) => rows.Count == 0 ? 1 : Math.Exp(rows.Average(r => Math.Log(r.Ratio)));

    public static string Json(IReadOnlyList<ValidationRow> rows) => JsonText.Indented(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("figures");
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteString("case", r.Case.Name);
            w.WriteString("set", Set(r));
            w.WriteString("source", r.Case.Source);
            w.WriteString("machine", r.Case.Machine.Name);
            w.WriteString("kernel", r.Case.Kernel.ToString());
            w.WriteString("workload", r.Case.Workload);
            w.WriteString("measure", r.Measure);
            w.WriteNumber("published", r.Published);
            w.WriteNumber("simulated", Math.Round(r.Simulated, 3));
            w.WriteNumber("ratio", Math.Round(r.Ratio, 4));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Markdown(IReadOnlyList<ValidationRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# phyr validate").AppendLine();
        sb.AppendLine("Published measurements against the simulation of the same workload on the named machine and kernel profile, with one parameter set for all cases. Ratio = simulated / published.").AppendLine();
        sb.AppendLine("| case | set | machine | kernel | measure | published | simulated | ratio |");
        sb.AppendLine("|---|---|---|---|---|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Case.Name} | {Set(r)} | {r.Case.Machine.Name} | {r.Case.Kernel} | {r.Measure} | {F(r.Published)} | {F(r.Simulated)} | {r.Ratio.ToString("F3", CultureInfo.InvariantCulture)}{Mark(r)} |");
        sb.AppendLine().AppendLine("```").Append(Summary(rows)).AppendLine("```").AppendLine();
        foreach (var c in rows.Select(r => r.Case).Distinct())
        {
            sb.AppendLine($"## {c.Name}").AppendLine();
            sb.AppendLine($"- source: {c.Source}{(c.Link is { } l ? $" ({l})" : "")}");
            sb.AppendLine($"- workload: `{c.Workload}` on {c.Machine.Name}, kernel {c.Kernel}{string.Concat(c.Features.Select(f => $", {f.Feature}={(f.On ? "on" : "off")}"))}");
            sb.AppendLine($"- exercises: {c.Mechanism}");
            if (c.KnownMiss is { } miss) sb.AppendLine($"- why it misses: {miss}");
            sb.AppendLine().AppendLine("```").AppendLine(c.Published.Trim()).AppendLine("```").AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Simulated against published, log-log, a point per figure, the identity and the ±35% band.</summary>
    public static void Plot(IReadOnlyList<ValidationRow> rows, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (set, color) in new[] { (ValidationSet.Calibration, ScottPlot.Colors.OrangeRed), (ValidationSet.Validation, ScottPlot.Colors.SteelBlue) })
        {
            var these = rows.Where(r => r.Case.Set == set).ToList();
            if (these.Count == 0) continue;
            var s = plot.Add.ScatterPoints(these.Select(r => Math.Log10(r.Published)).ToArray(), these.Select(r => Math.Log10(r.Simulated)).ToArray());
            s.Color = color;
            s.MarkerSize = 8;
            s.LegendText = set == ValidationSet.Calibration ? "calibration" : "validation";
        }
        var lo = Math.Floor(rows.Min(r => Math.Log10(Math.Min(r.Published, r.Simulated))));
        var hi = Math.Ceiling(rows.Max(r => Math.Log10(Math.Max(r.Published, r.Simulated))));
        foreach (var (offset, pattern) in new[] { (0.0, ScottPlot.LinePattern.Solid), (Math.Log10(1.35), ScottPlot.LinePattern.Dashed), (Math.Log10(1 / 1.35), ScottPlot.LinePattern.Dashed) })
        {
            var line = plot.Add.Line(lo, lo + offset, hi, hi + offset);
            line.LinePattern = pattern;
            line.Color = ScottPlot.Colors.Gray;
        }
        plot.Axes.Bottom.Label.Text = "published (µs, log10)";
        plot.Axes.Left.Label.Text = "simulated (µs, log10)";
        plot.Title("phyr validate: simulated against published");
        plot.ShowLegend(ScottPlot.Edge.Right);
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, 800, 600));
    }
}

using System.Globalization;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;
using Phyr.Domain.Results;

namespace Phyr.Host.Output;

/// <summary>
/// PNG plots of an experiment, where its axes allow: simulated time against batch capacity (a line per
/// combination of the other axes), and page-table-lock and mmap_lock wait p99 against CPUs. Returns the
/// files written, for report.md to embed.
/// </summary>
public static class ExperimentPlots
{
    public static IReadOnlyList<(string File, string Title)> Write(string dir, Experiment e, IReadOnlyList<PointResult> done)
    {
        var written = new List<(string, string)>();
        if (done.Count == 0) return written;
        if (e.AxisKeys.Contains("gup.batch") && Numeric(done, "gup.batch"))
        {
            // One plot per page backing when it is swept: 4 KiB and 1 GiB pages differ by orders of magnitude.
            var facets = e.AxisKeys.Contains("backing")
                ? done.GroupBy(p => p.Point.Axes.First(a => a.Key == "backing").Value).Select(g => (Suffix: $"-{g.Key}", Title: $", {g.Key}", Points: g.ToList()))
                : [("", "", done.ToList())];
            foreach (var (suffix, title, points) in facets)
                written.Add(Lines(dir, $"sim-time-vs-batch{suffix}.png", $"Simulated time against batch capacity{title}", points, "gup.batch", log2: true,
                    "batch capacity (entries per call)", "simulated time (ms)", [(Metric.SimTimeNs, 1e-6, "")], except: "backing"));
        }
        if (e.AxisKeys.Contains("dma.strategy"))
        {
            // One chart per device when devices are swept: RDMA registration and NVMe I/O do not share a scale.
            if (e.AxisKeys.Contains("device"))
                foreach (var g in done.GroupBy(p => p.Point.Axes.First(a => a.Key == "device").Value))
                    written.Add(Breakdown(dir, [.. g], $"-{g.Key}", $", {g.Key}"));
            else written.Add(Breakdown(dir, done, "", ""));
        }
        if (e.AxisKeys.Contains("cpus") && Numeric(done, "cpus"))
            written.Add(Lines(dir, "lock-wait-p99-vs-cpus.png", "Lock wait p99 against CPUs", done, "cpus", log2: false,
                "CPUs", "wait p99 (ns)", [(Metric.PtlWaitNsP99, 1, "PTE lock"), (Metric.MmapLockWaitNsP99, 1, "mmap_lock")]));
        if (done[0].Result.Metrics.Any(m => Metric.FormatOf(m.Name) is not null))
            written.Add(Formats(dir, done));
        return written;
    }

    /// <summary>The stacks of the cost breakdown: where each CPU's time went, by the catalogue's labels.</summary>
    private static readonly (string Metric, string Name)[] Costs = [.. Metric.TimeBreakdown.Select(m => (m.Name, m.Label!))];

    /// <summary>A stacked bar per DMA strategy: where the time went (means over the other axes and repetitions).</summary>
    private static (string, string) Breakdown(string dir, IReadOnlyList<PointResult> done, string suffix, string facet)
    {
        string file = $"cost-breakdown-by-strategy{suffix}.png", title = $"Where the time goes, by DMA strategy{facet}";
        var plot = new ScottPlot.Plot();
        var strategies = done.Select(p => p.Point.Axes.First(a => a.Key == "dma.strategy").Value).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < strategies.Count; i++)
        {
            var points = done.Where(p => p.Point.Axes.Any(a => a.Key == "dma.strategy" && a.Value == strategies[i])).ToList();
            double bottom = 0;
            for (var c = 0; c < Costs.Length; c++)
            {
                var value = points.Average(p => p.Result[Costs[c].Metric]) / 1e6;
                plot.Add.Bar(new ScottPlot.Bar { Position = i, ValueBase = bottom, Value = bottom + value, FillColor = palette.GetColor(c) });
                bottom += value;
            }
        }
        for (var c = 0; c < Costs.Length; c++)
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = Costs[c].Name, FillColor = palette.GetColor(c) });
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, strategies.Count).Select(i => (double)i).ToArray(), [.. strategies]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("time summed over CPUs (ms)");
        plot.ShowLegend(ScottPlot.Edge.Right);
        return Save(plot, dir, file, title, 900, 560);
    }

    /// <summary>Writes the PNG whole, then renames it: a reader never sees half a plot.</summary>
    private static (string, string) Save(ScottPlot.Plot plot, string dir, string file, string title, int width, int height)
    {
        AtomicFile.Write(Path.Combine(dir, file), tmp => plot.SavePng(tmp, width, height));
        return (file, title);
    }

    /// <summary>Numeric, except "unlimited" (a batch with no limit), which is drawn one step past the largest number.</summary>
    private static bool Numeric(IReadOnlyList<PointResult> done, string axis) =>
        done.All(p => p.Point.Axes.First(a => a.Key == axis).Value is var v &&
                      (v == "unlimited" || double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)));

    private static (string, string) Lines(string dir, string file, string title, IReadOnlyList<PointResult> done, string xAxis, bool log2,
        string xLabel, string yLabel, (Metric Metric, double Scale, string Name)[] metrics, string? except = null)
    {
        var plot = new ScottPlot.Plot();
        // Positions: the numbers (log2 for batch sizes), then "unlimited" one step further.
        var numbers = done.Select(p => p.Point.Axes.First(a => a.Key == xAxis).Value).Where(v => v != "unlimited")
            .Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        var positions = numbers.ToDictionary(x => x.ToString(CultureInfo.InvariantCulture), x => log2 ? Math.Log2(x) : x);
        if (done.Any(p => p.Point.Axes.First(a => a.Key == xAxis).Value == "unlimited"))
            positions["unlimited"] = positions.Count == 0 ? 0 : positions.Values.Max() + (log2 ? 1 : positions.Values.Max() / Math.Max(1, positions.Count));
        double X(PointResult p) => p.Point.Axes.First(a => a.Key == xAxis).Value is var v && v == "unlimited"
            ? positions["unlimited"]
            : positions[double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)];
        // One line per metric and per combination of the other axes (repetitions averaged).
        var groups = done.GroupBy(p => string.Join(", ", p.Point.Axes.Where(a => a.Key != xAxis && a.Key != except).Select(a => $"{a.Key}={a.Value}")))
            .OrderBy(g => g.Min(p => p.Point.Index));
        foreach (var g in groups)
        {
            foreach (var (metric, scale, name) in metrics)
            {
                var points = g.GroupBy(X).OrderBy(x => x.Key).Select(x => (X: x.Key, Y: x.Average(p => p.Result[metric]) * scale)).ToArray();
                var line = plot.Add.Scatter(points.Select(pt => pt.X).ToArray(), points.Select(pt => pt.Y).ToArray());
                line.LegendText = string.Join(" · ", new[] { name, g.Key }.Where(t => t.Length > 0));
            }
        }
        // Ticks at the axis values themselves (batch sizes, CPU counts), not at fractions between them.
        var ticks = positions.OrderBy(kv => kv.Value).ToList();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks.Select(t => t.Value)], [.. ticks.Select(t => t.Key)]);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        return Save(plot, dir, file, title, 900, 560);
    }

    /// <summary>Bytes per GiB described, per format (a line each), across the points: log scale, as formats differ by orders of magnitude.</summary>
    private static (string, string) Formats(string dir, IReadOnlyList<PointResult> done)
    {
        const string file = "descriptor-bytes-by-format.png", title = "Descriptor bytes per GiB of buffer, by format";
        var plot = new ScottPlot.Plot();
        var formats = done[0].Result.Metrics.Select(m => m.Name).Where(n => Metric.FormatOf(n) is not null).ToList();
        // Points in order, repetitions averaged; the label is the point's axis values (those it sets).
        var columns = done.GroupBy(p => string.Join(", ", p.Point.Axes.Where(a => a.Value != ExperimentFile.Default).Select(a => ShortValue(a.Value))))
            .OrderBy(g => g.Min(p => p.Point.Index)).ToList();
        foreach (var f in formats)
        {
            var ys = columns.Select(c => Math.Log10(Math.Max(1, c.Average(p => p.Result[f] / (p.Point.Scenario.RegionBytes / (double)(1 << 30)))))).ToArray();
            var line = plot.Add.Scatter(Enumerable.Range(0, columns.Count).Select(i => (double)i).ToArray(), ys);
            line.LegendText = Metric.FormatOf(f)!;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, columns.Count).Select(i => (double)i).ToArray(), [.. columns.Select(c => c.Key)]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 190;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("#,0", CultureInfo.InvariantCulture),
        };
        plot.Title(title);
        plot.YLabel("bytes per GiB described (log scale)");
        plot.ShowLegend(ScottPlot.Edge.Right);
        return Save(plot, dir, file, title, 1100, 640);
    }

    /// <summary>A pfn file's name without its folder, for a tick label.</summary>
    private static string ShortValue(string v) => v.Contains('/') ? Path.GetFileName(v) : v;
}

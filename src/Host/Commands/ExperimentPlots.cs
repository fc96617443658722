using System.Globalization;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;

namespace Phyr.Host.Commands;

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
            written.Add(Lines(dir, "sim-time-vs-batch.png", "Simulated time against batch capacity", done, "gup.batch", log2: true,
                "batch capacity (entries per call)", "simulated time (ms)", [("sim_time_ns", 1e-6, "")]));
        if (e.AxisKeys.Contains("dma.strategy"))
            written.Add(Breakdown(dir, done));
        if (e.AxisKeys.Contains("cpus") && Numeric(done, "cpus"))
            written.Add(Lines(dir, "lock-wait-p99-vs-cpus.png", "Lock wait p99 against CPUs", done, "cpus", log2: false,
                "CPUs", "wait p99 (ns)", [("ptl_wait_ns_p99", 1, "PTE lock"), ("mmap_lock_wait_ns_p99", 1, "mmap_lock")]));
        return written;
    }

    private static readonly (string Metric, string Name)[] Costs =
    [
        ("time_walk_ns", "walks"), ("time_lock_wait_ns", "lock wait"), ("time_atomics_ns", "pin atomics and puts"),
        ("time_iova_ns", "IOVA"), ("time_io_pagetable_ns", "IO page table"), ("time_iotlb_ns", "IOTLB"),
    ];

    /// <summary>A stacked bar per DMA strategy: where the time went (means over the other axes and repetitions).</summary>
    private static (string, string) Breakdown(string dir, IReadOnlyList<PointResult> done)
    {
        const string file = "cost-breakdown-by-strategy.png", title = "Where the time goes, by DMA strategy";
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
        plot.ShowLegend();
        var path = Path.Combine(dir, file);
        plot.SavePng(path + ".tmp.png", 900, 560);
        File.Move(path + ".tmp.png", path, overwrite: true);
        return (file, title);
    }

    private static bool Numeric(IReadOnlyList<PointResult> done, string axis) =>
        done.All(p => double.TryParse(p.Point.Axes.First(a => a.Key == axis).Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    private static (string, string) Lines(string dir, string file, string title, IReadOnlyList<PointResult> done, string xAxis, bool log2,
        string xLabel, string yLabel, (string Metric, double Scale, string Name)[] metrics)
    {
        var plot = new ScottPlot.Plot();
        // One line per metric and per combination of the other axes (repetitions averaged).
        var groups = done.GroupBy(p => string.Join(", ", p.Point.Axes.Where(a => a.Key != xAxis).Select(a => $"{a.Key}={a.Value}")))
            .OrderBy(g => g.Min(p => p.Point.Index));
        var xs = new SortedSet<double>();
        foreach (var g in groups)
        {
            foreach (var (metric, scale, name) in metrics)
            {
                var points = g.GroupBy(p => X(p, xAxis)).OrderBy(x => x.Key)
                    .Select(x => (X: x.Key, Y: x.Average(p => p.Result[metric]) * scale)).ToArray();
                foreach (var pt in points) xs.Add(pt.X);
                var line = plot.Add.Scatter(points.Select(pt => log2 ? Math.Log2(pt.X) : pt.X).ToArray(), points.Select(pt => pt.Y).ToArray());
                line.LegendText = string.Join(" · ", new[] { name, g.Key }.Where(t => t.Length > 0));
            }
        }
        // Ticks at the axis values themselves (batch sizes, CPU counts), not at fractions between them.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            xs.Select(x => log2 ? Math.Log2(x) : x).ToArray(), xs.Select(x => x.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        var path = Path.Combine(dir, file);
        plot.SavePng(path + ".tmp.png", 900, 560);
        File.Move(path + ".tmp.png", path, overwrite: true);
        return (file, title);
    }

    private static double X(PointResult p, string axis) =>
        double.Parse(p.Point.Axes.First(a => a.Key == axis).Value, NumberStyles.Float, CultureInfo.InvariantCulture);
}

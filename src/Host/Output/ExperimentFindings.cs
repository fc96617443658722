using System.Globalization;
using Phyr.Actors.Experiments;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Descriptors.Scatterlist;
using Phyr.Domain.Experiments;
using Phyr.Domain.Results;

namespace Phyr.Host.Output;

/// <summary>
/// The findings report.md states in a sentence each: what each axis does to the headline metric (simulated
/// time, or IOPS for I/O workloads) and, for layout experiments, which descriptor format is smallest.
/// </summary>
public static class ExperimentFindings
{
    /// <summary>The metric a sentence is about: IOPS when the points did I/O, simulated time otherwise.</summary>
    private static Metric Headline(IReadOnlyList<PointResult> done) =>
        done.Any(p => p.Result.Metrics.Any(m => m.Name == Metric.Iops.Name && m.Value > 0)) ? Metric.Iops : Metric.SimTimeNs;

    /// <summary>
    /// Every axis's effect on the metrics that vary, leaving out changes with no effect at all. Layout experiments
    /// (whose points describe the region in every format) have none: their axis is the layout, not a knob.
    /// </summary>
    public static IReadOnlyList<AxisEffect> EffectTable(Experiment e, IReadOnlyList<PointResult> done) => IsLayout(done)
        ? []
        : [.. Metric.Effects.Select(m => m.Name).Where(m => done.Any(p => Value(p, m) is > 0)).SelectMany(m => Effects(e, done, m))
            .Where(x => x.Min != 1 || x.Max != 1)];

    private static bool IsLayout(IReadOnlyList<PointResult> done) =>
        done.Count > 0 && done[0].Result.Metrics.Any(m => Metric.FormatOf(m.Name) is not null);

    public static IReadOnlyList<string> Sentences(Experiment e, IReadOnlyList<PointResult> done, IReadOnlyList<string> formats)
    {
        var sentences = new List<string>();
        if (done.Count == 0) return sentences;
        var headline = Headline(done);
        foreach (var x in IsLayout(done) ? [] : Effects(e, done, headline.Name))
        {
            var range = x.Pairs == 1 ? x.MinAt.Length == 0 ? "" : $" ({x.MinAt})"
                : x.Min == x.Max ? $" on each of {x.Pairs} pairs"
                : $" (geometric mean of {x.Pairs} pairs; from ×{R(x.Min)} at {Or(x.MinAt)} to ×{R(x.Max)} at {Or(x.MaxAt)})";
            sentences.Add($"{x.Axis} {x.From} → {x.To} multiplies {headline.Label} by {R(x.GeoMean)}{range}.");
        }
        if (formats.Count > 0) sentences.AddRange(Density(done, formats));
        return sentences;
    }

    /// <summary>Which format is smallest and largest on how many points, and how the phyr formats compare with the scatterlist.</summary>
    private static IEnumerable<string> Density(IReadOnlyList<PointResult> done, IReadOnlyList<string> formats)
    {
        string Name(string metric) => Metric.FormatOf(metric)!;
        string Tally(Func<PointResult, string> pick) => string.Join(", ", done.GroupBy(pick)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} on {g.Count()} of {done.Count} points"));
        // Formats tied for smallest (or largest) count together, e.g. "page-array = power-of-two".
        string Tied(PointResult p, double best) => string.Join(" = ", formats.Where(f => p.Result[f] == best).Select(Name));
        yield return "Smallest description: " + Tally(p => Tied(p, formats.Min(f => p.Result[f]))) + ".";
        yield return "Largest description: " + Tally(p => Tied(p, formats.Max(f => p.Result[f]))) + ".";
        var sg = Metric.FormatBytes(SgTable.FormatName).Name;
        foreach (var f in new[] { PhyrArray.FormatName, PackedPhyrList.FormatName }.Select(n => Metric.FormatBytes(n).Name))
        {
            if (!formats.Contains(f) || !formats.Contains(sg)) continue;
            var ratios = done.Where(p => p.Result[sg] > 0).Select(p => p.Result[f] / p.Result[sg]).ToList();
            if (ratios.Count > 0)
                yield return $"{Name(f)} takes {P(ratios.Min())}–{P(ratios.Max())} of the scatterlist's bytes.";
        }
    }

    private static IReadOnlyList<AxisEffect> Effects(Experiment e, IReadOnlyList<PointResult> done, string metric) =>
        AxisEffects.Of(e.AxisGroups, [.. done.Select(p => (p.Point, Value(p, metric)))], metric);

    private static double? Value(PointResult p, string metric)
    {
        foreach (var (name, value) in p.Result.Metrics)
            if (name == metric) return value;
        return null;
    }

    private static string Or(string at) => at.Length == 0 ? "every point" : at;

    /// <summary>Four significant decimals: small effects (×1.0004) must not print as ×1.</summary>
    public static string R(double x) => x.ToString("0.####", CultureInfo.InvariantCulture);

    private static string P(double x) => (x * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}

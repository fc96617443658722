namespace Phyr.Domain.Experiments;

/// <summary>
/// What moving one axis from its first value to another does to a metric, as a ratio over pairs of points
/// that differ only in that axis (same values on every other axis, same repetition): the geometric mean of
/// the ratios, and the smallest and largest with the other axes' values where they occur.
/// </summary>
public sealed record AxisEffect(string Axis, string From, string To, string Metric, int Pairs, double GeoMean,
    double Min, string MinAt, double Max, string MaxAt);

public static class AxisEffects
{
    /// <summary>
    /// The effect of every axis (each value against the axis's first) on <paramref name="metric"/>. Pairs where
    /// the first value's metric is zero are left out (no ratio); an effect with no pairs is not reported.
    /// </summary>
    /// <param name="axes">The experiment's axes (coupled keys together).</param>
    /// <param name="points">Each finished point with its metric value (null when the point lacks the metric).</param>
    /// <param name="metric">The metric's name, carried into the result.</param>
    public static IReadOnlyList<AxisEffect> Of(IReadOnlyList<IReadOnlyList<string>> axes, IReadOnlyList<(ExperimentPoint Point, double? Value)> points,
        string metric)
    {
        var effects = new List<AxisEffect>();
        foreach (var group in axes)
        {
            var axis = string.Join("+", group);
            var values = points.Select(p => AxisValue(p.Point, axis)).Distinct().ToList();
            if (values.Count < 2) continue;
            // Points keyed by everything but this axis; ordered by point index, so the result is deterministic.
            var byRest = points.Where(p => p.Value is not null)
                .GroupBy(p => Rest(p.Point, axis))
                .ToDictionary(g => g.Key, g => g.ToDictionary(p => AxisValue(p.Point, axis), p => p.Value!.Value));
            var order = points.Select(p => Rest(p.Point, axis)).Distinct().ToList();
            foreach (var to in values.Skip(1))
            {
                var ratios = new List<(double Ratio, string At)>();
                foreach (var rest in order)
                {
                    if (!byRest.TryGetValue(rest, out var row) || !row.TryGetValue(values[0], out var a) || !row.TryGetValue(to, out var b)) continue;
                    if (a == 0) continue;
                    ratios.Add((b / a, rest));
                }
                if (ratios.Count == 0) continue;
                var geo = ratios.All(r => r.Ratio > 0) ? Math.Exp(ratios.Average(r => Math.Log(r.Ratio))) : ratios.Average(r => r.Ratio);
                var min = ratios.MinBy(r => r.Ratio);
                var max = ratios.MaxBy(r => r.Ratio);
                effects.Add(new AxisEffect(axis, values[0], to, metric, ratios.Count, geo, min.Ratio, min.At, max.Ratio, max.At));
            }
        }
        return effects;
    }

    // A coupled axis's value is its keys' values joined with '+', as written in the experiment file.
    private static string AxisValue(ExperimentPoint p, string axis)
    {
        var keys = axis.Split('+');
        return string.Join("+", keys.Select(k => p.Axes.First(a => a.Key == k).Value));
    }

    private static string Rest(ExperimentPoint p, string axis)
    {
        var keys = axis.Split('+');
        return string.Join(", ", p.Axes.Where(a => !keys.Contains(a.Key)).Select(a => $"{a.Key}={a.Value}")) +
               (p.Repetition > 0 ? $", rep {p.Repetition}" : "");
    }
}

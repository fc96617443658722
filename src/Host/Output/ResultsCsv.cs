using System.Globalization;
using System.Text;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;

namespace Phyr.Host.Output;

/// <summary>results.csv: a row per finished point — index, axis values, repetition, seed, then every metric in its order.</summary>
public static class ResultsCsv
{
    public static string Experiment(Experiment e, IReadOnlyList<PointResult> done)
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

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}

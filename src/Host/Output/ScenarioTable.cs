using System.Globalization;
using Phyr.Actors.Scenarios;

namespace Phyr.Host.Output;

/// <summary>`phyr run SCENARIO`'s terminal output: every metric of the result, its errors, the host figures, where results.json went.</summary>
public static class ScenarioTable
{
    public static string Text(ScenarioResult r, string written)
    {
        using var o = new StringWriter(CultureInfo.InvariantCulture);
        o.WriteLine($"scenario: {r.Scenario} (seed {r.Seed}, digest {r.Digest:x16})");
        var width = r.Metrics.Max(m => m.Name.Length);
        foreach (var (name, value) in r.Metrics)
            o.WriteLine($"  {name.PadRight(width)}  {value.ToString("#,0.###", CultureInfo.InvariantCulture),16}");
        foreach (var e in r.Errors) o.WriteLine($"error: {e}");
        o.WriteLine($"host: {r.Host.WallSeconds:0.000} s wall, parallelism {r.Host.Parallelism}, {r.Host.Rounds} rounds");
        o.WriteLine($"wrote {written}");
        return o.ToString();
    }
}

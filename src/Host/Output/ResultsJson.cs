using System.Text.Json;
using Phyr.Actors.Experiments;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Experiments;

namespace Phyr.Host.Output;

/// <summary>
/// results.json — the one writer of it, for `phyr run` (a scenario, or an experiment's points) and the service: a
/// result's digest, metrics (in the catalogue's order) and errors, and apart from them what the host did (wall time,
/// parallelism), which varies run to run. Property order is fixed; numbers are written exactly.
/// </summary>
public static class ResultsJson
{
    /// <summary>A scenario's results.json.</summary>
    public static string Scenario(ScenarioResult r) => JsonText.Indented(w =>
    {
        w.WriteStartObject();
        w.WriteString("scenario", r.Scenario);
        w.WriteNumber("seed", r.Seed);
        Result(w, r);
        w.WriteStartObject("host");
        w.WriteNumber("wall_time_s", Math.Round(r.Host.WallSeconds, 3));
        w.WriteNumber("parallelism", r.Host.Parallelism);
        w.WriteNumber("partitions", r.Host.Partitions);
        w.WriteNumber("rounds", r.Host.Rounds);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>An experiment's results.json: the points finished so far, the combinations skipped, the host figures.</summary>
    public static string Experiment(Experiment e, IReadOnlyList<PointResult> done, double wallSeconds, int parallelism) => JsonText.Indented(w =>
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
            Result(w, p.Result);
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

    /// <summary>A "metrics" object: every metric of a result, in its order.</summary>
    public static void Metrics(Utf8JsonWriter w, IReadOnlyList<(string Name, double Value)> metrics)
    {
        w.WriteStartObject("metrics");
        foreach (var (name, value) in metrics) w.WriteNumber(name, value);
        w.WriteEndObject();
    }

    /// <summary>What a result is: its event digest, its metrics and the errors it reported.</summary>
    private static void Result(Utf8JsonWriter w, ScenarioResult r)
    {
        w.WriteString("digest", r.Digest.ToString("x16"));
        Metrics(w, r.Metrics);
        w.WriteStartArray("errors");
        foreach (var err in r.Errors) w.WriteStringValue(err);
        w.WriteEndArray();
    }
}

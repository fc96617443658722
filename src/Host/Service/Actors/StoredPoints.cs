using Phyr.Actors.Experiments;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Experiments;
using Phyr.Domain.Service;

namespace Phyr.Host.Service.Actors;

/// <summary>Between a finished point and its stored form: what is kept (metrics, digest, errors) and how it becomes a result again.</summary>
public static class StoredPoints
{
    public static StoredPoint From(PointResult p) =>
        new(p.Point.Index, p.Result.Digest, [.. p.Result.Metrics.Select(m => new StoredMetric(m.Name, m.Value))], [.. p.Result.Errors]);

    /// <summary>The stored points as results of <paramref name="e"/>'s points (host figures are not stored: zero).</summary>
    public static IReadOnlyList<PointResult> ToResults(Experiment e, IReadOnlyList<StoredPoint> stored) =>
    [
        .. stored.Where(s => s.Index >= 0 && s.Index < e.Points.Count).OrderBy(s => s.Index).Select(s =>
        {
            var point = e.Points[s.Index];
            return new PointResult(point, new ScenarioResult(point.Scenario.Name, point.Seed, [.. s.Metrics.Select(m => (m.Name, m.Value))],
                s.Errors, s.Digest, new HostFigures(0, 0, 0, 0, 0), []));
        }),
    ];
}

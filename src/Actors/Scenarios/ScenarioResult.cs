using Phyr.Domain.Drivers;
using Phyr.Domain.Results;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Scenarios;

/// <summary>
/// A scenario's outcome: <see cref="Metrics"/> (name, value) in the catalogue's order (<see cref="Metric"/>) — a function
/// of the scenario and seed only — the errors the run reported, each pinning thread's times, the resources' own
/// metrics (every lock, line and queued server: not part of results.json), and how the host executed it (kept apart,
/// it varies).
/// </summary>
public sealed record ScenarioResult(string Scenario, ulong Seed, IReadOnlyList<(string Name, double Value)> Metrics,
    IReadOnlyList<string> Errors, ulong Digest, HostFigures Host, IReadOnlyList<ThreadTimes> Threads,
    IReadOnlyList<ResourceMetricsSnapshot>? Resources = null)
{
    public double this[Metric metric] => this[metric.Name];

    public double this[string name] => Metrics.First(m => m.Name == name).Value;
}

/// <summary>Host-dependent figures: wall time, parallelism, and the engine's rounds.</summary>
public sealed record HostFigures(double WallSeconds, int Parallelism, int Partitions, long Rounds, long Events);

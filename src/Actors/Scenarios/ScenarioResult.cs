namespace Phyr.Actors.Scenarios;

/// <summary>
/// A scenario's outcome: <see cref="Metrics"/> (name, value) in a fixed order — a function of the scenario
/// and seed only — the errors the run reported, and how the host executed it (kept apart, it varies).
/// </summary>
public sealed record ScenarioResult(string Scenario, ulong Seed, IReadOnlyList<(string Name, double Value)> Metrics,
    IReadOnlyList<string> Errors, ulong Digest, HostFigures Host, IReadOnlyList<ThreadTimes> Threads)
{
    public double this[string name] => Metrics.First(m => m.Name == name).Value;
}

/// <summary>Host-dependent figures: wall time, parallelism, and the engine's rounds.</summary>
public sealed record HostFigures(double WallSeconds, int Parallelism, int Partitions, long Rounds, long Events);

/// <summary>One pinning thread's virtual times (ns): when it started, when it had pinned everything, when it had released it all.</summary>
public readonly record struct ThreadTimes(long Start, long Pinned, long Finished)
{
    public long GetNs => Pinned - Start;
    public long PutNs => Finished - Pinned;
}

using Phyr.Domain.Simulation;

namespace Phyr.Actors.Engine;

/// <summary>How a run is set up. None of these change results except <see cref="Seed"/>, <see cref="Lookahead"/> and <see cref="EndTime"/>.</summary>
public sealed record SimulationOptions
{
    /// <summary>The run seed; each component's random source derives from it and the component's name.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Minimum latency of a message between two components, in ns: the window length.</summary>
    public long Lookahead { get; init; } = Interconnect.Default.LinkLatencyNs;

    /// <summary>Partitions (logical processes, one Akka actor each). Results are the same for any count.</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>Events stamped at or after this time are not handled. Default: run until no event is left.</summary>
    public long EndTime { get; init; } = long.MaxValue;

    public void Validate()
    {
        if (Lookahead < 1) throw new ArgumentException($"lookahead must be at least 1 ns (got {Lookahead})");
        if (Partitions < 1) throw new ArgumentException($"partitions must be at least 1 (got {Partitions})");
        if (EndTime < 0) throw new ArgumentException($"end time cannot be negative (got {EndTime})");
    }
}

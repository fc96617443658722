using Phyr.Domain.Randomness;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Engine;

/// <summary>
/// A simulation component: an actor in virtual time. It has private state, a clock, a seeded random
/// source of its own, and handles one timestamped message at a time, in <see cref="Phyr.Domain.Simulation.EventKey"/>
/// order, never one stamped before its clock. Components are hosted by partition actors (Akka.NET);
/// an idle component is a plain object of a few hundred bytes (docs/engine.md).
/// </summary>
public abstract class SimComponent(string name)
{
    private DeterministicRandom? _random;

    public string Name { get; } = name;

    /// <summary>Set when the component is added to a <see cref="Simulation"/>.</summary>
    public int Id { get; internal set; } = -1;

    /// <summary>Virtual time of the message being or last handled, in ns.</summary>
    public long Clock { get; internal set; }

    /// <summary>Messages this component handled.</summary>
    public long Handled { get; internal set; }

    internal long SendSeq;
    internal ulong Digest = EventDigest.Seed;
    internal ulong RunSeed;

    /// <summary>This component's random source: derived from the run seed and <see cref="Name"/>.</summary>
    protected DeterministicRandom Random => _random ??= DeterministicRandom.For(RunSeed, Name);

    /// <summary>Handles one message; <paramref name="ctx"/> tells the time and the sender, and sends.</summary>
    protected internal abstract void OnMessage(SimContext ctx, object message);

    /// <summary>The contended resources this component owns, for the run's metrics.</summary>
    public virtual IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [];
}

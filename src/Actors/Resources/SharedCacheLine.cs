using Phyr.Actors.Engine;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>A cache line written by many CPUs (a shared refcount or counter) as a component, over <see cref="CacheLine"/>.</summary>
public sealed class SharedCacheLine(string name, CostModel costs) : SimComponent(name)
{
    /// <summary>An atomic read-modify-write or a store from <paramref name="Cpu"/>.</summary>
    public sealed record Atomic(int Cpu);

    /// <summary>The access completed (the line is now the requester's).</summary>
    public sealed record Completed;

    private static readonly Completed CompletedMessage = new();
    private readonly CacheLine _line = new(costs);

    public long Transfers => _line.Transfers;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        if (message is not Atomic a) throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        var g = _line.Access(ctx.Sender, a.Cpu, ctx.Now);
        ctx.Send(g.Requester, CompletedMessage, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_line.Metrics.Snapshot(Name, "cacheline")];
}

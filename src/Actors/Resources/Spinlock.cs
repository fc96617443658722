using Phyr.Actors.Engine;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>
/// A spinlock (or a mutex: same FIFO handover) as a component: a PTE lock, a PMD lock, the IOVA rbtree
/// lock. Thin: each message becomes a <see cref="FifoLock"/> call, each grant a <see cref="Granted"/> reply.
/// </summary>
public sealed class Spinlock(string name, CostModel costs, string kind = "spinlock") : SimComponent(name)
{
    /// <summary>spin_lock() from a component running on <paramref name="Cpu"/>.</summary>
    public sealed record Acquire(int Cpu);

    /// <summary>spin_unlock() by the holder.</summary>
    public sealed record Release;

    /// <summary>The lock is the requester's, from the time this arrives.</summary>
    public sealed record Granted;

    private static readonly Granted GrantedMessage = new();
    private readonly FifoLock _lock = new(costs);

    public ResourceMetrics Metrics => _lock.Metrics;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        var grant = message switch
        {
            Acquire a => _lock.Acquire(ctx.Sender, a.Cpu, ctx.Now),
            Release => _lock.Release(ctx.Sender, ctx.Now),
            _ => throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}"),
        };
        if (grant is { } g) ctx.Send(g.Requester, GrantedMessage, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_lock.Metrics.Snapshot(Name, kind)];
}

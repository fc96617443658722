using Phyr.Actors.Engine;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>
/// A spinlock (or a mutex: same FIFO handover) as a component: a PTE lock, a PMD lock, mm's page_table_lock. Thin:
/// each <see cref="SpinlockProtocol"/> message becomes a <see cref="FifoLock"/> call, each grant a reply.
/// </summary>
public sealed class Spinlock(string name, Interconnect net, string kind = "spinlock") : SimComponent(name)
{
    private readonly FifoLock _lock = new(net);

    public ResourceMetrics Metrics => _lock.Metrics;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        var grant = message switch
        {
            SpinlockProtocol.Acquire a => _lock.Acquire(ctx.Sender, a.Cpu, ctx.Now),
            SpinlockProtocol.Release => _lock.Release(ctx.Sender, ctx.Now),
            _ => throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}"),
        };
        if (grant is { } g) ctx.Send(g.Requester, SpinlockProtocol.Granted.Instance, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_lock.Metrics.Snapshot(Name, kind)];
}

using Phyr.Actors.Engine;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>A cache line written by many CPUs (a shared refcount, the mm's flags) as a component, over <see cref="CacheLine"/> (<see cref="CacheLineProtocol"/>).</summary>
public sealed class SharedCacheLine(string name, Interconnect net) : SimComponent(name)
{
    private readonly CacheLine _line = new(net);

    public long Transfers => _line.Transfers;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        if (message is not CacheLineProtocol.Atomic a) throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        var g = _line.Access(ctx.Sender, a.Cpu, ctx.Now);
        ctx.Send(g.Requester, CacheLineProtocol.Completed.Instance, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_line.Metrics.Snapshot(Name, "cacheline")];
}

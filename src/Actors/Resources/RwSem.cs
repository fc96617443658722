using Phyr.Actors.Engine;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>A reader-writer semaphore (mmap_lock, a VMA's lock) as a component, over <see cref="RwSemaphore"/> (<see cref="RwSemProtocol"/>).</summary>
public sealed class RwSem(string name, Interconnect net) : SimComponent(name)
{
    private readonly RwSemaphore _sem = new(net);

    public ResourceMetrics Metrics => _sem.Metrics;

    /// <summary>Transfers of the semaphore's count line.</summary>
    public long LineTransfers => _sem.LineTransfers;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case RwSemProtocol.DownRead r:
                Reply(ctx, _sem.DownRead(ctx.Sender, r.Cpu, ctx.Now));
                break;
            case RwSemProtocol.DownWrite w:
                Reply(ctx, _sem.DownWrite(ctx.Sender, w.Cpu, ctx.Now));
                break;
            case RwSemProtocol.UpRead u:
                foreach (var g in _sem.Up(ctx.Sender, u.Cpu, ctx.Now)) Reply(ctx, g);
                break;
            case RwSemProtocol.UpWrite u:
                foreach (var g in _sem.Up(ctx.Sender, u.Cpu, ctx.Now)) Reply(ctx, g);
                break;
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }

    private static void Reply(SimContext ctx, Grant? grant)
    {
        if (grant is { } g) ctx.Send(g.Requester, RwSemProtocol.Granted.Instance, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_sem.Metrics.Snapshot(Name, "rwsem")];
}

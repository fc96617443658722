using Phyr.Actors.Engine;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>A reader-writer semaphore (mmap_lock) as a component, over <see cref="RwSemaphore"/>.</summary>
public sealed class RwSem(string name, CostModel costs) : SimComponent(name)
{
    public sealed record DownRead(int Cpu);
    public sealed record DownWrite(int Cpu);
    public sealed record UpRead(int Cpu);
    public sealed record UpWrite(int Cpu);

    /// <summary>The semaphore is the requester's (shared or exclusive as asked).</summary>
    public sealed record Granted;

    private static readonly Granted GrantedMessage = new();
    private readonly RwSemaphore _sem = new(costs);

    public ResourceMetrics Metrics => _sem.Metrics;

    /// <summary>Transfers of the semaphore's count line.</summary>
    public long LineTransfers => _sem.LineTransfers;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case DownRead r:
                Reply(ctx, _sem.DownRead(ctx.Sender, r.Cpu, ctx.Now));
                break;
            case DownWrite w:
                Reply(ctx, _sem.DownWrite(ctx.Sender, w.Cpu, ctx.Now));
                break;
            case UpRead u:
                foreach (var g in _sem.Up(ctx.Sender, u.Cpu, ctx.Now)) Reply(ctx, g);
                break;
            case UpWrite u:
                foreach (var g in _sem.Up(ctx.Sender, u.Cpu, ctx.Now)) Reply(ctx, g);
                break;
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }

    private static void Reply(SimContext ctx, Grant? grant)
    {
        if (grant is { } g) ctx.Send(g.Requester, GrantedMessage, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_sem.Metrics.Snapshot(Name, "rwsem")];
}

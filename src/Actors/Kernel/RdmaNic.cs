using Phyr.Actors.Engine;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;

namespace Phyr.Actors.Kernel;

/// <summary>
/// An RDMA NIC registering memory regions: the device page size is chosen as ib_umem_find_best_pgsz does,
/// the MR needs ib_umem_num_dma_blocks translation entries (MTT), and the device runs one command at a
/// time. A region the device cannot translate with any of its page sizes is refused.
/// </summary>
public sealed class RdmaNic(string name, DmaCosts costs, int domain, ulong pageSizes = BestPageSize.Mlx5Bitmap) : SimComponent(name)
{
    public sealed record RegisterMr(PhysRange[] DmaSegments, ulong Virt, ulong Length);
    public sealed record Registered(ulong PageSize, long Entries);
    public sealed record DeregisterMr(long Entries);
    public sealed record Deregistered;
    public sealed record Refused(string Reason);

    private long _busyUntil;

    public long Registrations { get; private set; }
    public long Entries { get; private set; }
    public ulong LastPageSize { get; private set; }

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case RegisterMr r:
            {
                var pgsz = BestPageSize.Find(r.DmaSegments, r.Virt, r.Length, pageSizes);
                if (pgsz == 0)
                {
                    ctx.Reply(new Refused("no device page size can translate this MR"), ctx.Lookahead);
                    break;
                }
                // ib_umem_num_dma_blocks: the MR's IOVA range in device pages.
                var entries = (long)(((r.Virt + r.Length + pgsz - 1) & ~(pgsz - 1)) - (r.Virt & ~(pgsz - 1))) / (long)pgsz;
                Registrations++;
                Entries += entries;
                LastPageSize = pgsz;
                var done = Command(ctx.Now, costs.DeviceCommandNs + entries * costs.DeviceEntryNs);
                // Once registered, the peer's RDMA reads and writes reach the MR's memory.
                ctx.Send(domain, new IommuDomain.DeviceAccess(r.DmaSegments), Math.Max(ctx.Lookahead, done - ctx.Now));
                ctx.Reply(new Registered(pgsz, entries), done - ctx.Now + ctx.Lookahead);
                break;
            }
            case DeregisterMr:
                ctx.Reply(new Deregistered(), Command(ctx.Now, costs.DeviceCommandNs) - ctx.Now + ctx.Lookahead);
                break;
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }

    private long Command(long now, long ns)
    {
        var start = Math.Max(now, _busyUntil);
        _busyUntil = start + ns;
        return _busyUntil;
    }
}

using Phyr.Actors.Engine;
using Phyr.Domain.Devices;
using Phyr.Domain.Dma;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Devices;

/// <summary>
/// An RDMA NIC registering memory regions (<see cref="RdmaProtocol"/>): the device page size is chosen as
/// ib_umem_find_best_pgsz does, the MR needs ib_umem_num_dma_blocks translation entries (MTT), and the device's
/// command engine runs one command at a time (a <see cref="QueuedServer"/>). A region the device cannot translate
/// with any of its page sizes is refused. Once registered, the peer's RDMA reaches the MR: its first and last bytes
/// are checked at the IOMMU domain.
/// </summary>
public sealed class RdmaNic(string name, DmaCosts costs, int domain, ulong pageSizes = BestPageSize.Mlx5Bitmap) : SimComponent(name)
{
    public QueuedServer CommandEngine { get; } = new();
    public long Registrations { get; private set; }
    public long Entries { get; private set; }
    public ulong LastPageSize { get; private set; }

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case RdmaProtocol.RegisterMr r:
            {
                var pgsz = BestPageSize.Find(r.DmaSegments, r.Virt, r.Length, pageSizes);
                if (pgsz == 0)
                {
                    ctx.Reply(new RdmaProtocol.Refused("no device page size can translate this MR"), ctx.Lookahead);
                    break;
                }
                // ib_umem_num_dma_blocks: the MR's IOVA range in device pages.
                var entries = (long)(((r.Virt + r.Length + pgsz - 1) & ~(pgsz - 1)) - (r.Virt & ~(pgsz - 1))) / (long)pgsz;
                Registrations++;
                Entries += entries;
                LastPageSize = pgsz;
                var done = CommandEngine.Serve(ctx.Sender, ctx.Now, costs.DeviceCommandNs + entries * costs.DeviceEntryNs).At;
                ctx.Send(domain, new IommuProtocol.DeviceAccess(r.DmaSegments), Math.Max(ctx.Lookahead, done - ctx.Now));
                ctx.Reply(new RdmaProtocol.Registered(pgsz, entries), done - ctx.Now + ctx.Lookahead);
                break;
            }
            case RdmaProtocol.DeregisterMr:
                ctx.Reply(RdmaProtocol.Deregistered.Instance, CommandEngine.Serve(ctx.Sender, ctx.Now, costs.DeviceCommandNs).At - ctx.Now + ctx.Lookahead);
                break;
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [CommandEngine.Metrics.Snapshot($"{Name}.command_engine", "queue")];
}

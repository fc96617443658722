using Phyr.Actors.Engine;
using Phyr.Domain.Devices;
using Phyr.Domain.Dma;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Devices;

/// <summary>
/// An NVMe controller (<see cref="NvmeProtocol"/>): a command completes after the medium's latency (commands overlap)
/// and after its data crossed the PCIe link, which carries one transfer at a time at the link's bandwidth (a
/// <see cref="QueuedServer"/>). It also reads the command's PRP list or SGL: one small transfer per list page.
/// </summary>
public sealed class NvmeController(string name, long latencyNs, double bytesPerNs, int domain) : SimComponent(name)
{
    public QueuedServer PcieLink { get; } = new();
    public long Commands { get; private set; }

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        if (message is not NvmeProtocol.Submit s) throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        Commands++;
        var transferred = PcieLink.Serve(ctx.Sender, ctx.Now + latencyNs, (long)Math.Ceiling((s.Bytes + s.ListPages * 4096) / bytesPerNs)).At;
        // The data moves during the transfer: the device's accesses reach the IOMMU then.
        ctx.Send(domain, new IommuProtocol.DeviceAccess(s.Segments), Math.Max(ctx.Lookahead, transferred - ctx.Now));
        ctx.Reply(NvmeProtocol.Completed.Instance, transferred - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [PcieLink.Metrics.Snapshot($"{Name}.pcie_link", "queue")];
}

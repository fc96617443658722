using Phyr.Actors.Engine;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Kernel;

/// <summary>
/// An NVMe controller: a command completes after the medium's latency (commands overlap) and after its data
/// crossed the PCIe link, which carries one transfer at a time at the link's bandwidth. It also reads the
/// command's PRP list or SGL: one small transfer per list page.
/// </summary>
public sealed class NvmeController(string name, long latencyNs, double bytesPerNs, int domain) : SimComponent(name)
{
    /// <summary>A read or write of <paramref name="Bytes"/> to <paramref name="Segments"/>, described by <paramref name="ListPages"/> PRP/SGL list pages.</summary>
    public sealed record Submit(long Bytes, long ListPages, Domain.Memory.PhysRange[] Segments);

    public sealed record Completed;

    private static readonly Completed CompletedMessage = new();
    private long _linkFreeAt;

    public long Commands { get; private set; }
    public LatencyHistogram LinkWait { get; } = new();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        if (message is not Submit s) throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        Commands++;
        var ready = ctx.Now + latencyNs;
        var start = Math.Max(ready, _linkFreeAt);
        LinkWait.Record(start - ready);
        _linkFreeAt = start + (long)Math.Ceiling((s.Bytes + s.ListPages * 4096) / bytesPerNs);
        // The data moves during the transfer: the device's accesses reach the IOMMU then.
        ctx.Send(domain, new IommuDomain.DeviceAccess(s.Segments), Math.Max(ctx.Lookahead, _linkFreeAt - ctx.Now));
        ctx.Reply(CompletedMessage, _linkFreeAt - ctx.Now + ctx.Lookahead);
    }
}

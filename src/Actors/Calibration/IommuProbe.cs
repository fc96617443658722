using Akka.Actor;
using Phyr.Actors.Engine;
using Phyr.Actors.Kernel;
using Phyr.Domain.Costs;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Actors.Calibration;

/// <summary>
/// Times IO page table operations on the IOMMU-domain component, as the iommupt series' micro-benchmark and DESIGN.md's
/// calibration figures measure them: a probe sends each operation in turn and times it from its reply, the two link
/// latencies taken off. The domain's page-size bitmap is the one given, so a map of <c>N × pgsize</c> is one call of N
/// leaves of that size (as the benchmark calls map_pages with a page size and a count).
/// </summary>
public static class IommuProbe
{
    /// <summary>An operation: map [iova, iova + size) to paddr, iommu_unmap_fast it (page table only), or unmap it with the IOTLB sync.</summary>
    public abstract record Op(ulong Iova, ulong Size)
    {
        public sealed record Map(ulong Iova, ulong Paddr, ulong Size) : Op(Iova, Size);
        public sealed record UnmapFast(ulong Iova, ulong Size) : Op(Iova, Size);
        public sealed record UnmapSync(ulong Iova, ulong Size) : Op(Iova, Size);
    }

    private sealed class Probe(string name, int domain, IReadOnlyList<Op> ops) : SimComponent(name)
    {
        public sealed record Go;

        private int _step;
        private long _sentAt;
        public readonly List<long> Durations = [];

        protected internal override void OnMessage(SimContext ctx, object message)
        {
            if (message is not Go) Durations.Add(ctx.Now - _sentAt - 2 * ctx.Lookahead);
            _sentAt = ctx.Now;
            if (_step >= ops.Count) return;
            ctx.Send(domain, ops[_step++] switch
            {
                Op.Map m => new IommuProtocol.MapAt(m.Iova, [new PhysRange(m.Paddr, m.Size)]),
                Op.UnmapFast u => new IommuProtocol.UnmapFast(u.Iova, u.Size),
                Op.UnmapSync u => (object)new IommuProtocol.UnmapAt(u.Iova, u.Size),
                _ => throw new InvalidOperationException(),
            });
        }
    }

    /// <summary>Runs <paramref name="ops"/> one after another on a strict domain; returns each one's time in ns.</summary>
    public static async Task<IReadOnlyList<long>> RunAsync(ActorSystem system, string? dispatcher, CostModel costs, IReadOnlyList<Op> ops,
        ulong pgsizeBitmap = Domain.Iommu.IommuPgsize.X86Bitmap)
    {
        var sim = new Simulation(new SimulationOptions { Lookahead = costs.CacheLineSameSocketNs / 2 });
        var process = sim.Add(new Process("mm", new AddressSpace(new FrameSource())));
        var domain = sim.Add(new IommuDomain("iommu", new DmaDomain(IommuMode.Strict, pgsizeBitmap: pgsizeBitmap), costs.Dma, DeviceLimits.Default, process.Id));
        var probe = sim.Add(new Probe("probe", domain.Id, ops));
        sim.Inject(probe, new Probe.Go());
        await sim.RunAsync(system, dispatcher).ConfigureAwait(false);
        return probe.Durations;
    }
}

using Phyr.Domain.Dma;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.Vfio;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Simulation.Resources;
using static Phyr.Domain.Tests.Drivers.FlowScript;

namespace Phyr.Domain.Tests.Drivers;

/// <summary>
/// VFIO type1's VFIO_IOMMU_MAP_DMA / UNMAP_DMA as a pure flow (drivers/vfio/vfio_iommu_type1.c): runs grow across calls and,
/// when they stop, are accounted under mmap_lock for write (vfio_lock_acct) and mapped at guest-physical IOVAs; the
/// teardown is vfio_unmap_unpin's walk, then the unpin the kernel version does.
/// </summary>
public class VfioPinMapDmaTests
{
    private const ulong Guest = 1UL << 30; // the region is guest memory from 1 GiB
    private static readonly DmaMapping Done = new() { Strategy = DmaStrategy.Legacy, DeviceSegments = [] };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_run_is_accounted_and_mapped_once_when_it_breaks_and_the_teardown_unpins_as_the_kernel_does(bool rangeUnpin)
    {
        var flow = VfioPinMapDma.For("cpu1", Caller(GupCallKind.PinUserPages, 4, 8), IommuDomain, Guest, new VfioType1(true, rangeUnpin));
        (flow, var sends) = Step(flow, 0, -1, RegionFlow.Start.Instance);
        // Frames 10-13: the run grows; nothing is mapped yet, the next call goes out.
        (flow, sends) = Step(flow, 100, Process, Pages(Start, 10, 11, 12, 13));
        Assert.IsType<MmProtocol.Walk>(Assert.Single(sends).Message);
        Assert.Equal(Frames(10, 4), flow.Run);
        // 14-15 continue it, 40 breaks it: frames 10-15 are accounted (mmap_lock for write) ...
        (flow, sends) = Step(flow, 200, Process, Pages(Start + 4 * Page.Size, 14, 15, 40, 41));
        Assert.Equal(new RwSemProtocol.DownWrite(flow.Gup.Plan.Cpu), Assert.Single(sends).Message);
        Assert.Equal(RegionPhase.Accounting, flow.Phase);
        (flow, sends) = Step(flow, 250, MmapLock, RwSemProtocol.Granted.Instance);
        // ... then unlocked and mapped at the guest's first IOVA.
        Assert.Equal(new RwSemProtocol.UpWrite(flow.Gup.Plan.Cpu), sends[0].Message);
        var map = Assert.IsType<IommuProtocol.MapAt>(sends[1].Message);
        Assert.Equal(Guest, map.Iova);
        Assert.Equal([Frames(10, 6)], map.Ranges);
        // Mapped; the region is pinned: the last run (40-41) is accounted and mapped right after the first.
        (flow, sends) = Step(flow, 300, IommuDomain, new IommuProtocol.Mapped(Done));
        Assert.IsType<RwSemProtocol.DownWrite>(Assert.Single(sends).Message);
        (flow, sends) = Step(flow, 310, MmapLock, RwSemProtocol.Granted.Instance);
        var last = Assert.IsType<IommuProtocol.MapAt>(sends[1].Message);
        Assert.Equal(Guest + 6 * Page.Size, last.Iova);
        Assert.Equal([Frames(40, 2)], last.Ranges);
        // VFIO_IOMMU_MAP_DMA returns at 400; UNMAP_DMA walks the guest range (vfio_unmap_unpin), then unpins.
        (flow, sends) = Step(flow, 400, IommuDomain, new IommuProtocol.Mapped(Done));
        Assert.Equal(new IommuProtocol.VfioUnmap(Guest, 8 * Page.Size), Assert.Single(sends).Message);
        Assert.Equal((400L, 400L), (flow.MappedAt, flow.MapDmaNs));
        (flow, sends) = Step(flow, 500, IommuDomain, new IommuProtocol.VfioUnmapped(2));
        var unpin = Assert.IsType<MmProtocol.Unpin>(Assert.Single(sends).Message);
        // d14de5b92578: a range per run; before it, put_pfn on every page.
        Assert.Equal(rangeUnpin ? (true, false) : (false, true), (unpin.Style.FolioBatched, unpin.Style.PageArray));
        (flow, _) = Step(flow, 600, Process, new MmProtocol.Unpinned(new UnpinCount(8, 8)));
        Assert.True(flow.Clean);
        Assert.Equal((8 * Page.Size, 200L), (flow.Mapped, flow.UnmapDmaNs));
    }
}

using Phyr.Domain.Dma;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.Vfio;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using static Phyr.Domain.Tests.Drivers.FlowScript;

namespace Phyr.Domain.Tests.Drivers;

/// <summary>VFIO type1's vfio_pin_map_dma as a pure flow: runs grow across calls and are mapped at guest-physical IOVAs when they stop.</summary>
public class VfioPinMapDmaTests
{
    private const ulong Guest = 1UL << 30; // the region is guest memory from 1 GiB

    [Fact]
    public void A_run_that_continues_across_calls_is_mapped_once_when_it_breaks_and_the_last_one_at_the_end()
    {
        var flow = VfioPinMapDma.For("cpu1", Caller(GupCallKind.PinUserPages, 4, 8), IommuDomain, Guest);
        (flow, var sends) = Step(flow, 0, -1, RegionFlow.Start.Instance);
        // Frames 10-13: the run grows; nothing is mapped yet, the next call goes out.
        (flow, sends) = Step(flow, 100, Process, Pages(Start, 10, 11, 12, 13));
        Assert.IsType<MmProtocol.Walk>(Assert.Single(sends).Message);
        Assert.Equal(Frames(10, 4), flow.Run);
        // 14-15 continue it, 40 breaks it: frames 10-15 are mapped at the guest's first IOVA.
        (flow, sends) = Step(flow, 200, Process, Pages(Start + 4 * Page.Size, 14, 15, 40, 41));
        var map = Assert.IsType<IommuProtocol.MapAt>(Assert.Single(sends).Message);
        Assert.Equal(Guest, map.Iova);
        Assert.Equal([Frames(10, 6)], map.Ranges);
        Assert.Equal(RegionPhase.Mapping, flow.Phase);
        // Mapped; the region is pinned: the last run (40-41) is mapped right after the first.
        (flow, sends) = Step(flow, 300, IommuDomain, new IommuProtocol.Mapped(new DmaMapping { Strategy = DmaStrategy.Legacy, DeviceSegments = [] }));
        var last = Assert.IsType<IommuProtocol.MapAt>(Assert.Single(sends).Message);
        Assert.Equal(Guest + 6 * Page.Size, last.Iova);
        Assert.Equal([Frames(40, 2)], last.Ranges);
        // Then the teardown: one unmap of the whole guest range, synced, and the unpin.
        (flow, sends) = Step(flow, 400, IommuDomain, new IommuProtocol.Mapped(new DmaMapping { Strategy = DmaStrategy.Legacy, DeviceSegments = [] }));
        Assert.Equal(new IommuProtocol.UnmapAt(Guest, 8 * Page.Size), Assert.Single(sends).Message);
        Assert.Equal([new PhysRange(Guest, 8 * Page.Size)], flow.Mapping!.DeviceSegments);
        (flow, sends) = Step(flow, 500, IommuDomain, IommuProtocol.Unmapped.Instance);
        Assert.IsType<MmProtocol.Unpin>(Assert.Single(sends).Message);
        (flow, _) = Step(flow, 600, Process, new MmProtocol.Unpinned(new UnpinCount(8, 8)));
        Assert.True(flow.Clean);
        Assert.Equal(8 * Page.Size, flow.Mapped);
    }
}

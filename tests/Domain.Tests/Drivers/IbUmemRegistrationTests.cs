using Phyr.Domain.Descriptors;
using Phyr.Domain.Devices;
using Phyr.Domain.Dma;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.Rdma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using static Phyr.Domain.Tests.Drivers.FlowScript;

namespace Phyr.Domain.Tests.Drivers;

/// <summary>ib_umem_get + reg_mr and their teardown as a pure flow, stepped with the replies the components would give.</summary>
public class IbUmemRegistrationTests
{
    private static IbUmemRegistration Flow(DmaStrategy strategy, GupCallKind kind, int batch = 4, ulong pages = 8) =>
        IbUmemRegistration.For("cpu0", Caller(kind, batch, pages), new RegistrationPlan(strategy, IommuDomain, Device, 2UL << 30, DmaCosts.Default));

    private static DmaMapping Mapping(params PhysRange[] device) => new() { Strategy = DmaStrategy.Legacy, DeviceSegments = device };

    [Fact]
    public void Legacy_appends_each_page_array_to_one_scatterlist_then_maps_registers_deregisters_unmaps_and_unpins()
    {
        var (flow, sends) = Step(Flow(DmaStrategy.Legacy, GupCallKind.PinUserPages), 0, -1, RegionFlow.Start.Instance);
        Assert.IsType<MmProtocol.Walk>(Assert.Single(sends).Message);
        (flow, sends) = Step(flow, 100, Process, Pages(Start, 100, 101, 102, 103));
        Assert.Equal(1, flow.Sg.Nents); // one contiguous run: one entry
        var next = Assert.Single(sends);
        Assert.Equal(Start + 4 * Page.Size, Assert.IsType<MmProtocol.Walk>(next.Message).Start);
        (flow, sends) = Step(flow, 200, Process, Pages(Start + 4 * Page.Size, 104, 105, 300, 301));
        Assert.Equal(2, flow.Sg.Nents);     // 104, 105 extend the first entry; 300 breaks it
        var map = Assert.IsType<IommuProtocol.MapSg>(Assert.Single(sends).Message);
        Assert.Equal([Frames(100, 6), Frames(300, 2)], map.Sg);
        Assert.Equal(RegionPhase.Mapping, flow.Phase);
        Assert.Equal(4 * DescriptorSizes.PagePointer + DescriptorSizes.SgAppendTable + flow.Sg.EntryBytes, flow.DescriptorBytesPeak);

        var iova = Mapping(new PhysRange(0xffff_0000_0000, 8 * Page.Size));
        (flow, sends) = Step(flow, 300, IommuDomain, new IommuProtocol.Mapped(iova));
        var register = Assert.IsType<RdmaProtocol.RegisterMr>(Assert.Single(sends).Message);
        Assert.Equal((Start, 8 * Page.Size), (register.Virt, register.Length));
        (flow, sends) = Step(flow, 400, Device, new RdmaProtocol.Registered(Page.Size, 8));
        Assert.Equal(8, Assert.IsType<RdmaProtocol.DeregisterMr>(Assert.Single(sends).Message).Entries);
        (flow, sends) = Step(flow, 500, Device, RdmaProtocol.Deregistered.Instance);
        Assert.Same(iova, Assert.IsType<IommuProtocol.Unmap>(Assert.Single(sends).Message).Mapping);
        (flow, sends) = Step(flow, 600, IommuDomain, IommuProtocol.Unmapped.Instance);
        Assert.Equal((Start, Start + 8 * Page.Size), (Assert.IsType<MmProtocol.Unpin>(Assert.Single(sends).Message) is var u ? (u.Start, u.End) : default));
        (flow, sends) = Step(flow, 700, Process, new MmProtocol.Unpinned(new UnpinCount(8, 8)));
        Assert.Empty(sends);
        Assert.Equal(RegionPhase.Done, flow.Phase);
        Assert.Equal(new ThreadTimes(0, 600, 700), flow.Times);
        Assert.Equal(8, flow.DeviceEntries);
        Assert.True(flow.Clean);
        Assert.Null(flow.Error);
    }

    [Fact]
    public void Iova_link_allocates_the_whole_range_first_links_each_call_as_it_comes_and_syncs_at_the_end()
    {
        var (flow, sends) = Step(Flow(DmaStrategy.IovaLink, GupCallKind.GetUserPhyrs, batch: 2), 0, -1, RegionFlow.Start.Instance);
        Assert.Equal(new IommuProtocol.IovaTryAlloc(0, 0, 8 * Page.Size), Assert.Single(sends).Message);
        (flow, sends) = Step(flow, 50, IommuDomain, IommuProtocol.IovaAllocated.Instance);
        Assert.IsType<MmProtocol.Walk>(Assert.Single(sends).Message);
        (flow, sends) = Step(flow, 100, Process, Phyrs(Start, Frames(10, 3), Frames(20, 1)));
        Assert.Equal([Frames(10, 3), Frames(20, 1)], Assert.IsType<IommuProtocol.IovaLink>(Assert.Single(sends).Message).Ranges);
        Assert.Equal(RegionPhase.Linking, flow.Phase);
        (flow, sends) = Step(flow, 150, IommuDomain, IommuProtocol.Linked.Instance);
        (flow, sends) = Step(flow, 200, Process, Phyrs(Start + 4 * Page.Size, Frames(30, 4)));
        (flow, sends) = Step(flow, 250, IommuDomain, IommuProtocol.Linked.Instance);
        Assert.Same(IommuProtocol.IovaSync.Instance, Assert.Single(sends).Message);
        // Only one call's phyr array is ever held.
        Assert.Equal(2 * DescriptorSizes.Phyr, flow.DescriptorBytesPeak);
        Assert.Empty(flow.Phyrs);
    }

    [Fact]
    public void Phyr_native_keeps_the_regions_phyrs_merged_across_calls_and_maps_them_in_one_go()
    {
        var (flow, _) = Step(Flow(DmaStrategy.PhyrNative, GupCallKind.GetUserPhyrs, batch: 2), 0, -1, RegionFlow.Start.Instance);
        (flow, _) = Step(flow, 100, Process, Phyrs(Start, Frames(10, 3), Frames(20, 1)));
        var (mapped, sends) = Step(flow, 200, Process, Phyrs(Start + 4 * Page.Size, Frames(21, 2), Frames(40, 2)));
        var map = Assert.IsType<IommuProtocol.MapPhyrs>(Assert.Single(sends).Message);
        Assert.True(map.Native);
        Assert.Equal([Frames(10, 3), Frames(20, 3), Frames(40, 2)], map.Phyrs); // 20 continues into 21-22 across the calls
        Assert.Equal(2 * DescriptorSizes.Phyr + 3 * DescriptorSizes.Phyr, mapped.DescriptorBytesPeak);
        Assert.Equal(2, flow.Phyrs.Count);  // the state before the second call is unchanged
    }

    [Fact]
    public void A_refused_mr_is_an_error_and_the_region_is_still_unmapped_and_unpinned()
    {
        var (flow, _) = Step(Flow(DmaStrategy.PhyrCompat, GupCallKind.GetUserPhyrs, batch: 8), 0, -1, RegionFlow.Start.Instance);
        (flow, _) = Step(flow, 100, Process, Phyrs(Start, Frames(10, 8)));
        var iova = Mapping(new PhysRange(0x1234, 8 * Page.Size));
        (flow, _) = Step(flow, 200, IommuDomain, new IommuProtocol.Mapped(iova));
        var (refused, sends) = Step(flow, 300, Device, new RdmaProtocol.Refused("no device page size can translate this MR"));
        Assert.Equal("cpu0: the device refused the MR: no device page size can translate this MR", refused.Error);
        Assert.IsType<IommuProtocol.Unmap>(Assert.Single(sends).Message);
        var (unmapped, _) = Step(refused, 400, IommuDomain, IommuProtocol.Unmapped.Instance);
        var (done, _) = Step(unmapped, 500, Process, new MmProtocol.Unpinned(new UnpinCount(8, 8)));
        Assert.Equal(refused.Error, done.Error);
        Assert.True(done.Clean);
    }

    [Fact]
    public void A_reply_the_phase_does_not_expect_is_refused_naming_the_flow_and_phase()
    {
        var (flow, _) = Step(Flow(DmaStrategy.PhyrNative, GupCallKind.GetUserPhyrs), 0, -1, RegionFlow.Start.Instance);
        var e = Assert.Throws<ArgumentException>(() => flow.Step(10, Device, new RdmaProtocol.Registered(4096, 1)));
        Assert.Equal("cpu0 cannot handle Registered while Pinning", e.Message);
    }
}

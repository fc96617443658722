using Phyr.Domain.Devices;
using Phyr.Domain.Dma;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.Nvme;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using static Phyr.Domain.Tests.Drivers.FlowScript;

namespace Phyr.Domain.Tests.Drivers;

/// <summary>O_DIRECT I/O on one CPU as a pure flow: one kernel path at a time, completions waiting their turn.</summary>
public class DirectIoTests
{
    private const int Controller = 5;

    private static DirectIo Flow(int queueDepth, int ios, bool sgl = false) =>
        DirectIo.For("cpu0", Caller(GupCallKind.PinUserPages, 1, (ulong)queueDepth),
            new DirectIoPlan(Start, Page.Size, queueDepth, ios, IommuDomain, Controller, DmaStrategy.Legacy,
                new NvmeDataPolicy(sgl ? NvmeSglUse.Forced : NvmeSglUse.Unsupported), DmaCosts.Default));

    private static DmaMapping At(ulong dma) => new() { Strategy = DmaStrategy.Legacy, DeviceSegments = [new PhysRange(dma, Page.Size)] };

    [Fact]
    public void Each_io_pins_maps_submits_and_on_completion_unmaps_and_unpins_with_its_latency_sampled()
    {
        var (flow, sends) = Step(Flow(queueDepth: 2, ios: 3), 0, -1, DirectIo.Start.Instance);
        // Both slots are queued; the CPU starts the first path (slot 0's pin) at once.
        Assert.Equal(Start, Assert.IsType<MmProtocol.Walk>(Assert.Single(sends).Message).Start);
        Assert.Equal((2, 0, DirectIo.Path.Pinning), (flow.Issued, flow.Current, flow.Running));
        (flow, sends) = Step(flow, 100, Process, Pages(Start, 50));
        Assert.Equal([Frames(50, 1)], Assert.IsType<IommuProtocol.MapRanges>(Assert.Single(sends).Message).Ranges);
        var first = At(0x9000);
        (flow, sends) = Step(flow, 200, IommuDomain, new IommuProtocol.Mapped(first));
        // Submitted (a PRP for one page: one entry), and the CPU goes on to slot 1's pin.
        var submit = Assert.IsType<NvmeProtocol.Submit>(sends[0].Message);
        Assert.Equal(((long)Page.Size, 0L), (submit.Bytes, submit.ListPages));
        Assert.Equal([new PhysRange(0x9000, Page.Size)], submit.Segments);
        Assert.Equal(Start + Page.Size, Assert.IsType<MmProtocol.Walk>(sends[1].Message).Start);
        Assert.Equal((1L, 1L), (flow.DescriptorEntries, flow.DmaSegments));

        // Slot 0 completes while the CPU pins slot 1: its teardown waits for the CPU.
        (flow, sends) = Step(flow, 250, Controller, NvmeProtocol.Completed.Instance);
        Assert.Empty(sends);
        (flow, sends) = Step(flow, 300, Process, Pages(Start + Page.Size, 51));
        Assert.IsType<IommuProtocol.MapRanges>(Assert.Single(sends).Message);
        (flow, sends) = Step(flow, 400, IommuDomain, new IommuProtocol.Mapped(At(0xa000)));
        Assert.IsType<NvmeProtocol.Submit>(sends[0].Message);
        Assert.Same(first, Assert.IsType<IommuProtocol.Unmap>(sends[1].Message).Mapping); // now slot 0's unmap
        (flow, sends) = Step(flow, 500, IommuDomain, IommuProtocol.Unmapped.Instance);
        Assert.Equal((Start, Start + Page.Size), Assert.IsType<MmProtocol.Unpin>(Assert.Single(sends).Message) is var u ? (u.Start, u.End) : default);
        var (unpinned, fx) = flow.Step(600, Process, new MmProtocol.Unpinned(new UnpinCount(1, 1)));
        // Slot 0's I/O took from its pin (0) to its unpin (600); the third I/O reuses slot 0 and starts at once.
        Assert.Equal([(Distribution.IoLatency, 600L)], fx.Samples);
        Assert.Equal(Start, Assert.IsType<MmProtocol.Walk>(Assert.Single(fx.Sends).Message).Start);
        Assert.Equal((1L, 3), (unpinned.Completed, unpinned.Issued));
        Assert.Equal(-1, unpinned.FinishedAt);
    }

    [Fact]
    public void Fixed_buffers_are_pinned_once_mapped_per_io_and_unpinned_once_at_the_end()
    {
        // io_uring registered buffers: two slots of one page, three I/Os.
        var flow = DirectIo.For("cpu0", Caller(GupCallKind.PinUserPages, 2, 2),
            new DirectIoPlan(Start, Page.Size, 2, 3, IommuDomain, Controller, DmaStrategy.Legacy,
                new NvmeDataPolicy(NvmeSglUse.Unsupported), DmaCosts.Default, Fixed: true));
        (flow, var sends) = Step(flow, 0, -1, DirectIo.Start.Instance);
        // IORING_REGISTER_BUFFERS: the whole buffer pinned first.
        var walk = Assert.IsType<MmProtocol.Walk>(Assert.Single(sends).Message);
        Assert.Equal((Start, Start + 2 * Page.Size), (walk.Start, walk.End));
        (flow, sends) = Step(flow, 100, Process, Pages(Start, 50, 70));
        // Then each I/O maps its slot from the registered pages, no pin of its own.
        Assert.Equal([Frames(50, 1)], Assert.IsType<IommuProtocol.MapRanges>(Assert.Single(sends).Message).Ranges);
        (flow, sends) = Step(flow, 200, IommuDomain, new IommuProtocol.Mapped(At(0x9000)));
        Assert.IsType<NvmeProtocol.Submit>(sends[0].Message);
        Assert.Equal([Frames(70, 1)], Assert.IsType<IommuProtocol.MapRanges>(sends[1].Message).Ranges);
        (flow, _) = Step(flow, 300, IommuDomain, new IommuProtocol.Mapped(At(0xa000)));
        // Slot 0 completes: unmapped, not unpinned; its next I/O maps it again.
        (flow, sends) = Step(flow, 400, Controller, NvmeProtocol.Completed.Instance);
        Assert.IsType<IommuProtocol.Unmap>(Assert.Single(sends).Message);
        (flow, sends) = Step(flow, 500, IommuDomain, IommuProtocol.Unmapped.Instance);
        Assert.Equal([Frames(50, 1)], Assert.IsType<IommuProtocol.MapRanges>(Assert.Single(sends).Message).Ranges);
        Assert.Equal(1, flow.Completed);
        (flow, _) = Step(flow, 600, IommuDomain, new IommuProtocol.Mapped(At(0x9000)));
        // The last two complete; after the third the registered buffer is unpinned at once.
        (flow, _) = Step(flow, 700, Controller, NvmeProtocol.Completed.Instance);
        (flow, _) = Step(flow, 800, IommuDomain, IommuProtocol.Unmapped.Instance);
        (flow, _) = Step(flow, 900, Controller, NvmeProtocol.Completed.Instance);
        (flow, sends) = Step(flow, 1000, IommuDomain, IommuProtocol.Unmapped.Instance);
        var unpin = Assert.IsType<MmProtocol.Unpin>(Assert.Single(sends).Message);
        Assert.Equal((Start, Start + 2 * Page.Size), (unpin.Start, unpin.End));
        (flow, _) = Step(flow, 1100, Process, new MmProtocol.Unpinned(new UnpinCount(2, 2)));
        Assert.Equal((3L, 1100L), (flow.Completed, flow.FinishedAt));
        Assert.True(flow.Clean);
    }

    [Fact]
    public void A_pin_the_kernel_refuses_stops_the_cpu_and_what_arrives_after_changes_nothing()
    {
        var (flow, _) = Step(Flow(queueDepth: 2, ios: 4), 0, -1, DirectIo.Start.Instance);
        (flow, var sends) = Step(flow, 100, Process, new MmProtocol.Failed("-EFAULT"));
        Assert.Empty(sends);
        Assert.Equal(("cpu0: -EFAULT", DirectIo.Path.Stopped, 100L), (flow.Error, flow.Running, flow.FinishedAt));
        var (after, late) = Step(flow, 200, Controller, NvmeProtocol.Completed.Instance);
        Assert.Same(flow, after);
        Assert.Empty(late);
        Assert.True(flow.Clean); // an error excuses the unpin, as for every flow
    }

    [Fact]
    public void The_cpu_is_finished_when_its_last_io_is_unpinned()
    {
        var (flow, _) = Step(Flow(queueDepth: 1, ios: 1, sgl: true), 0, -1, DirectIo.Start.Instance);
        (flow, _) = Step(flow, 100, Process, Pages(Start, 50));
        (flow, var sends) = Step(flow, 200, IommuDomain, new IommuProtocol.Mapped(At(0x9000)));
        Assert.Equal(0, Assert.IsType<NvmeProtocol.Submit>(Assert.Single(sends).Message).ListPages);
        (flow, _) = Step(flow, 300, Controller, NvmeProtocol.Completed.Instance);
        (flow, _) = Step(flow, 400, IommuDomain, IommuProtocol.Unmapped.Instance);
        (flow, sends) = Step(flow, 500, Process, new MmProtocol.Unpinned(new UnpinCount(1, 1)));
        Assert.Empty(sends);
        Assert.Equal((500L, DirectIo.Path.Idle), (flow.FinishedAt, flow.Running));
        Assert.True(flow.Clean);
    }
}

using Phyr.Domain.Descriptors;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.GupTest;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using static Phyr.Domain.Tests.Drivers.FlowScript;

namespace Phyr.Domain.Tests.Drivers;

/// <summary>gup_test's benchmark ioctl as a pure flow: pin call by call, then unpin, get and put timed apart.</summary>
public class GupTestIoctlTests
{
    [Fact]
    public void It_pins_call_by_call_then_unpins_and_times_get_and_put_apart()
    {
        var flow = GupTestIoctl.For("cpu0", Caller(GupCallKind.PinUserPages, 2, 4));
        (flow, _) = Step(flow, 10, -1, RegionFlow.Start.Instance);
        (flow, var sends) = Step(flow, 100, Process, Pages(Start, 7, 9));
        Assert.IsType<MmProtocol.Walk>(Assert.Single(sends).Message);
        (flow, sends) = Step(flow, 200, Process, Pages(Start + 2 * Page.Size, 11, 13));
        var unpin = Assert.Single(sends);
        Assert.IsType<MmProtocol.Unpin>(unpin.Message);
        Assert.Equal(RegionPhase.Unpinning, flow.Phase);
        (flow, _) = Step(flow, 900, Process, new MmProtocol.Unpinned(new UnpinCount(4, 4)));
        Assert.Equal(new ThreadTimes(10, 200 + unpin.Delay, 900), flow.Times);
        Assert.Equal(2 * DescriptorSizes.PagePointer, flow.DescriptorBytesPeak); // the call's array: its capacity
        Assert.Equal((2L, 4L, 4L), (flow.Gup.Calls, flow.Gup.Totals.PagesPinned, flow.Gup.PagesUnpinned));
        Assert.True(flow.Clean);
    }

    [Fact]
    public void A_refused_call_stops_the_thread_with_the_error()
    {
        var (flow, _) = Step(GupTestIoctl.For("cpu3", Caller(GupCallKind.PinUserPages, 2, 4)), 0, -1, RegionFlow.Start.Instance);
        (flow, var sends) = Step(flow, 100, Process, new MmProtocol.Failed("-EFAULT"));
        Assert.Empty(sends);
        Assert.Equal(("cpu3: -EFAULT", RegionPhase.Done, 100L), (flow.Error, flow.Phase, flow.FinishedAt));
        Assert.True(flow.Clean); // an error excuses the unpin
    }
}

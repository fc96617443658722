using Phyr.Domain.Mm;

namespace Phyr.Domain.Drivers.GupTest;

/// <summary>
/// mm/gup_test.c's benchmark ioctl (__gup_test_ioctl) on one CPU: pin the region nr_pages_per_call at a time into an
/// array of that many entries, then unpin it all; "get" and "put" are timed apart (<see cref="ThreadTimes"/>). It is
/// also what a scenario without a DMA strategy runs: pinning alone.
/// </summary>
public sealed record GupTestIoctl : RegionFlow<GupTestIoctl>
{
    public static GupTestIoctl For(string name, GupCaller gup) => new() { Name = name, Gup = gup };

    protected override GupTestIoctl CallReturned(long now, GupCall call, long delay, Effects fx)
    {
        var next = Peak(OutputArrayBytes(call));
        return next.Gup.MoreToPin ? next.PinNext(delay, fx) : next.Unpin(now, delay, fx);
    }
}

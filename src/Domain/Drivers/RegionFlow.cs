using Phyr.Domain.Descriptors;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Drivers;

/// <summary>Where a region flow is.</summary>
public enum RegionPhase { Idle, AllocatingIova, Pinning, Linking, Mapping, Registering, Deregistering, Unmapping, Unpinning, Done, Accounting }

/// <summary>The message that starts a region flow.</summary>
public static class RegionFlow
{
    [EventKind("Phyr.Actors.Kernel.PageTableWalker+Start")]
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }
}

/// <summary>
/// One CPU's pass over its region, the shape gup_test, ib_umem_get and vfio_pin_map_dma share: pin the region call by
/// call (<see cref="GupCaller"/>), doing the driver's work on each call's output (<see cref="CallReturned"/>), then the
/// driver's own steps, then unpin it all. A driver flow derives from it and adds its phases (<see cref="On"/>); this
/// record keeps what they all measure — the thread's times, the descriptor bytes it held at most, and the error that
/// stopped it.
/// </summary>
public abstract record RegionFlow<TSelf> : IDriverFlow<TSelf>, ICpuFlow where TSelf : RegionFlow<TSelf>
{
    /// <summary>The component's name, which errors start with.</summary>
    public required string Name { get; init; }
    public required GupCaller Gup { get; init; }
    public RegionPhase Phase { get; init; } = RegionPhase.Idle;
    public ThreadTimes Times { get; init; } = ThreadTimes.NotStarted;
    public long DescriptorBytesPeak { get; init; }
    public string? Error { get; init; }

    protected int Cpu => Gup.Plan.Cpu;
    protected ulong RegionStart => Gup.Start;
    protected ulong RegionBytes => Gup.End - Gup.Start;

    public long FinishedAt => Times.Finished;

    public bool Clean => Error is not null || (Gup.PagesUnpinned == Gup.Totals.PagesPinned && Times.Finished >= 0);

    public TSelf Step(FlowInput input, Effects fx) => (Phase, input.Message) switch
    {
        (RegionPhase.Idle, RegionFlow.Start) => Started(input.Now, fx),
        (RegionPhase.Pinning, var m) when GupCaller.Handles(m) => Pinning(input, fx),
        (RegionPhase.Unpinning, MmProtocol.Unpinned u) => Finished(input.Now, Gup.Unpinned(u)),
        _ => On(input, fx),
    };

    /// <summary>The region starts: by default its first call.</summary>
    protected virtual TSelf Started(long now, Effects fx) => Self(this with { Times = Times with { Start = now }, Phase = RegionPhase.Pinning })
        .PinNext(0, fx);

    /// <summary>A call returned <paramref name="call"/>, its work done <paramref name="delay"/> ns from now: the driver's turn.</summary>
    protected abstract TSelf CallReturned(long now, GupCall call, long delay, Effects fx);

    /// <summary>The driver's own phases; a message none of them expects is an error.</summary>
    protected virtual TSelf On(FlowInput input, Effects fx) => throw DriverFlow.Unexpected(Name, Phase, input.Message);

    /// <summary>The next call of the region, <paramref name="delay"/> ns from now.</summary>
    protected TSelf PinNext(long delay, Effects fx) => Self(this with { Phase = RegionPhase.Pinning, Gup = Gup.Begin(delay, fx) });

    /// <summary>Unpins the region <paramref name="delay"/> ns from now: the thread has pinned all it will (gup_test's get/put boundary).</summary>
    protected TSelf Unpin(long now, long delay, Effects fx, UnpinStyle? style = null) =>
        Self(this with { Phase = RegionPhase.Unpinning, Times = Times with { Pinned = now + delay }, Gup = style is { } s ? Gup.Unpin(delay, fx, s) : Gup.Unpin(delay, fx) });

    /// <summary>Descriptors held now: the peak keeps the largest.</summary>
    protected TSelf Peak(long bytes) => Self(this with { DescriptorBytesPeak = Math.Max(DescriptorBytesPeak, bytes) });

    /// <summary>
    /// The bytes of the call's output array: its capacity in page pointers or phyrs. An unlimited call's array is
    /// sized to what it returned (the region's pages, or its phyrs).
    /// </summary>
    protected long OutputArrayBytes(GupCall call)
    {
        var capacity = Gup.Plan.Batch == GupCallerPlan.Unlimited ? call.Pages.Count + call.Phyrs.Count : Gup.Plan.Batch;
        return (long)capacity * (Gup.Plan.Kind == GupCallKind.PinUserPages ? DescriptorSizes.PagePointer : DescriptorSizes.Phyr);
    }

    private TSelf Pinning(FlowInput input, Effects fx)
    {
        var (gup, ended) = Gup.Step(input, fx);
        return ended switch
        {
            null => Self(this with { Gup = gup }),
            GupCallEnd.Returned r => Self(this with { Gup = gup }).CallReturned(input.Now, r.Call, r.Delay, fx),
            GupCallEnd.Failed f => Finished(input.Now, gup, $"{Name}: {f.Reason}"),
            _ => throw new InvalidOperationException($"unknown end of a GUP call: {ended}"),
        };
    }

    private TSelf Finished(long now, GupCaller gup, string? error = null) =>
        Self(this with { Phase = RegionPhase.Done, Times = Times with { Finished = now }, Gup = gup, Error = error ?? Error });

    private static TSelf Self(RegionFlow<TSelf> flow) => (TSelf)flow;
}

using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Drivers.Vfio;

/// <summary>
/// VFIO type1 mapping a guest's memory on one CPU (drivers/vfio/vfio_iommu_type1.c, vfio_pin_map_dma): the region is
/// guest memory at <paramref name="GuestBase"/> in the guest's physical address space. Pinning continues while the pfns
/// stay contiguous (vfio_pin_pages_remote, across calls); each maximal run, once it stops growing, is mapped with one
/// iommu_map at its guest-physical IOVA — no IOVA allocator, no device registration. At teardown
/// (vfio_unmap_unpin) one unmap of the whole range with an IOTLB sync, then the unpin.
/// </summary>
/// <param name="Domain">The IOMMU domain component.</param>
/// <param name="GuestBase">The IOVA (guest-physical address) of the region's first byte.</param>
public sealed record VfioPinMapDma(int Domain, ulong GuestBase) : RegionFlow<VfioPinMapDma>
{
    /// <summary>The physically contiguous run still growing.</summary>
    public PhysRange? Run { get; init; }

    /// <summary>Bytes of the region mapped so far.</summary>
    public ulong Mapped { get; init; }

    /// <summary>At teardown: what the device was given (the guest's range).</summary>
    public DmaMapping? Mapping { get; init; }

    public static VfioPinMapDma For(string name, GupCaller gup, int domain, ulong guestBase) => new(domain, guestBase) { Name = name, Gup = gup };

    protected override VfioPinMapDma CallReturned(long now, GupCall call, long delay, Effects fx)
    {
        var run = Run;
        var complete = new List<PhysRange>();
        foreach (var r in call.Ranges())
        {
            if (run is { } growing && growing.End == r.Addr) run = growing with { Len = growing.Len + r.Len };
            else
            {
                if (run is { } done) complete.Add(done);
                run = r;
            }
        }
        var next = (this with { Run = run }).Peak(OutputArrayBytes(call));
        return complete.Count > 0 ? next.Map(complete, delay, fx) : next.AfterCall(delay, fx);
    }

    protected override VfioPinMapDma On(FlowInput input, Effects fx) => (Phase, input.Message) switch
    {
        (RegionPhase.Mapping, IommuProtocol.Mapped) => (this with { Phase = RegionPhase.Pinning }).AfterCall(0, fx),
        (RegionPhase.Unmapping, IommuProtocol.Unmapped) => Unpin(input.Now, 0, fx),
        _ => base.On(input, fx),
    };

    /// <summary>The next call; the region pinned, the last run's map; that done, the teardown.</summary>
    private VfioPinMapDma AfterCall(long delay, Effects fx)
    {
        if (Gup.MoreToPin) return PinNext(delay, fx);
        if (Run is { } last) return (this with { Run = null }).Map([last], delay, fx);
        // The guest ran; at teardown VFIO unmaps its memory and unpins it.
        fx.Send(Domain, new IommuProtocol.UnmapAt(GuestBase, RegionBytes), delay);
        return this with
        {
            Phase = RegionPhase.Unmapping,
            Mapping = new DmaMapping { Strategy = DmaStrategy.Legacy, DeviceSegments = [new PhysRange(GuestBase, RegionBytes)] },
        };
    }

    /// <summary>vfio_iommu_map of complete runs at the next guest-physical IOVAs.</summary>
    private VfioPinMapDma Map(List<PhysRange> runs, long delay, Effects fx)
    {
        fx.Send(Domain, new IommuProtocol.MapAt(GuestBase + Mapped, [.. runs]), delay);
        return this with { Phase = RegionPhase.Mapping, Mapped = Mapped + runs.Aggregate(0UL, (n, r) => n + r.Len) };
    }
}

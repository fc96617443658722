using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Domain.Drivers.Vfio;

/// <summary>What VFIO type1 does differently by kernel version (the switches vfio-contig-batch and vfio-range-unpin).</summary>
/// <param name="ContigBatch">f6c84a52cc41 (6.18): a batch's contiguous pages counted by comparing page pointers, not by checking each page's struct page.</param>
/// <param name="RangeUnpin">d14de5b92578 (6.18): each unmapped run unpinned as one range, not put_pfn per page.</param>
public readonly record struct VfioType1(bool ContigBatch, bool RangeUnpin);

/// <summary>
/// VFIO type1 mapping a guest's memory on one CPU (drivers/vfio/vfio_iommu_type1.c): VFIO_IOMMU_MAP_DMA, then
/// VFIO_IOMMU_UNMAP_DMA, each timed (<see cref="MapDmaNs"/>, <see cref="UnmapDmaNs"/>). The region is guest memory at
/// <paramref name="GuestBase"/> in the guest's physical address space.
/// <list type="bullet">
/// <item>Map (vfio_pin_map_dma): pin_user_pages_remote fills a batch (the GUP caller's calls, mmap_lock for read each);
/// vfio_pin_pages_remote's loop then walks the batch while the pfns stay contiguous — before f6c84a52cc41 reading each
/// page's struct page (is_invalid_reserved_pfn), after it comparing page pointers; each maximal run, once it stops growing,
/// is accounted (vfio_lock_acct: mmap_lock for write) and mapped with one iommu_map at its guest-physical IOVA.</item>
/// <item>Unmap (vfio_unmap_unpin): iommu_iova_to_phys per page to find the runs, iommu_unmap_fast per run, a sync every 512
/// runs (<see cref="IommuProtocol.VfioUnmap"/>); then the unpin — put_pfn per page before d14de5b92578, a range per run
/// after, both with make_dirty (prot &amp; IOMMU_WRITE: guest memory is mapped writable), so each folio not yet dirty is
/// locked, marked dirty and unlocked before its put.</item>
/// </list>
/// </summary>
/// <param name="Domain">The IOMMU domain component.</param>
/// <param name="GuestBase">The IOVA (guest-physical address) of the region's first byte.</param>
/// <param name="Type1">The kernel version's VFIO type1 behaviour.</param>
public sealed record VfioPinMapDma(int Domain, ulong GuestBase, VfioType1 Type1) : RegionFlow<VfioPinMapDma>
{
    /// <summary>The physically contiguous run still growing.</summary>
    public PhysRange? Run { get; init; }

    /// <summary>Bytes of the region mapped so far.</summary>
    public ulong Mapped { get; init; }

    /// <summary>Complete runs waiting for their accounting and map.</summary>
    public PhysRange[] Pending { get; init; } = [];

    /// <summary>Runs of <see cref="Pending"/> still to account (vfio_lock_acct).</summary>
    public int AccountsLeft { get; init; }

    /// <summary>When VFIO_IOMMU_MAP_DMA returned (the guest's memory pinned and mapped), -1 before.</summary>
    public long MappedAt { get; init; } = -1;

    /// <summary>At teardown: what the device was given (the guest's range).</summary>
    public DmaMapping? Mapping { get; init; }

    public long MapDmaNs => MappedAt < 0 ? 0 : MappedAt - Times.Start;
    public long UnmapDmaNs => MappedAt < 0 || Times.Finished < 0 ? 0 : Times.Finished - MappedAt;

    public static VfioPinMapDma For(string name, GupCaller gup, int domain, ulong guestBase, VfioType1 type1) =>
        new(domain, guestBase, type1) { Name = name, Gup = gup };

    protected override VfioPinMapDma CallReturned(long now, GupCall call, long delay, Effects fx)
    {
        var run = Run;
        // The runs this call completes, written over the call's own ranges (never more of them than were read).
        var ranges = call.Ranges();
        var complete = 0;
        foreach (var r in ranges)
        {
            if (run is { } growing && growing.End == r.Addr) run = growing with { Len = growing.Len + r.Len };
            else
            {
                if (run is { } done) ranges[complete++] = done;
                run = r;
            }
        }
        delay += PinLoop(call.Accounting);
        var next = (this with { Run = run }).Peak(OutputArrayBytes(call));
        return complete > 0 ? next.Account(ranges[..complete], delay, fx) : next.AfterCall(now, delay, fx);
    }

    /// <summary>
    /// vfio_pin_pages_remote's loop over the batch: a loop iteration per page, and before f6c84a52cc41 each page's struct page
    /// line (PageReserved): the line a grab read is hot, a tail of a large folio nobody read streams in.
    /// </summary>
    private long PinLoop(GupAccounting a)
    {
        var c = Gup.Plan.Costs;
        var pages = a.PagesPinned;
        var check = Type1.ContigBatch ? 0 : c.Lines(new LineCount(Hot: Math.Min(pages, a.FolioRuns), Streamed: Math.Max(0, pages - a.FolioRuns)));
        return (long)Math.Round(pages * c.EntryNs + check);
    }

    protected override VfioPinMapDma On(FlowInput input, Effects fx) => (Phase, input.Message) switch
    {
        (RegionPhase.Accounting, RwSemProtocol.Granted) => Accounted(input.Sender, fx),
        (RegionPhase.Mapping, IommuProtocol.Mapped) => (this with { Phase = RegionPhase.Pinning }).AfterCall(input.Now, 0, fx),
        (RegionPhase.Unmapping, IommuProtocol.VfioUnmapped) => Unpin(input.Now, 0, fx, Type1.RangeUnpin
            ? UnpinStyle.Default with { PageArray = false, Dirty = true }
            : new UnpinStyle(FolioBatched: false, HugetlbBatched: false, PageArray: true, FollGet: false, Dirty: true)),
        _ => base.On(input, fx),
    };

    /// <summary>The next call; the region pinned, the last run's map; that done, the teardown.</summary>
    private VfioPinMapDma AfterCall(long now, long delay, Effects fx)
    {
        if (Gup.MoreToPin) return PinNext(delay, fx);
        if (Run is { } last) return (this with { Run = null }).Account([last], delay, fx);
        // VFIO_IOMMU_MAP_DMA returns; the guest runs; VFIO_IOMMU_UNMAP_DMA unmaps its memory and unpins it.
        fx.Send(Domain, new IommuProtocol.VfioUnmap(GuestBase, Mapped), delay);
        return this with
        {
            Phase = RegionPhase.Unmapping,
            MappedAt = now + delay,
            Mapping = new DmaMapping { Strategy = DmaStrategy.Legacy, DeviceSegments = [new PhysRange(GuestBase, Mapped)] },
        };
    }

    /// <summary>vfio_lock_acct of each complete run: mmap_lock for write, the locked_vm update, the unlock; then their map.</summary>
    private VfioPinMapDma Account(PhysRange[] runs, long delay, Effects fx)
    {
        fx.Send(Gup.Plan.Locks.MmapLock, new RwSemProtocol.DownWrite(Cpu), delay);
        return this with { Phase = RegionPhase.Accounting, Pending = runs, AccountsLeft = runs.Length };
    }

    private VfioPinMapDma Accounted(int mmapLock, Effects fx)
    {
        // __account_locked_vm: one atomic on mm->locked_vm under the write lock.
        var hold = (long)Math.Round(Gup.Plan.Costs.PinAtomicNs);
        fx.Send(mmapLock, new RwSemProtocol.UpWrite(Cpu), hold);
        if (AccountsLeft > 1)
        {
            fx.Send(mmapLock, new RwSemProtocol.DownWrite(Cpu), hold);
            return this with { AccountsLeft = AccountsLeft - 1 };
        }
        return (this with { AccountsLeft = 0 }).Map(Pending, hold, fx);
    }

    /// <summary>vfio_iommu_map of complete runs at the next guest-physical IOVAs.</summary>
    private VfioPinMapDma Map(PhysRange[] runs, long delay, Effects fx)
    {
        fx.Send(Domain, new IommuProtocol.MapAt(GuestBase + Mapped, runs), delay);
        return this with { Phase = RegionPhase.Mapping, Pending = [], Mapped = Mapped + runs.Aggregate(0UL, (n, r) => n + r.Len) };
    }
}

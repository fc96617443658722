using Phyr.Domain.Descriptors;
using Phyr.Domain.Descriptors.Scatterlist;
using Phyr.Domain.Devices;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Drivers.Rdma;

/// <summary>
/// The DMA side of a memory registration: the strategy, the IOMMU domain and NIC components, the NIC's max segment, the
/// costs, and how ib_umem_release unpins: a range per scatterlist entry (unpin_user_page_range_dirty_lock, 1d4b0166e363,
/// 5.12) or, before, unpin_user_pages_dirty_lock of each page — with make_dirty either way (a writable MR:
/// __ib_umem_release(dev, umem, 1)), so a folio not yet dirty is locked, marked dirty and unlocked before its put.
/// </summary>
public sealed record RegistrationPlan(DmaStrategy Strategy, int Domain, int Nic, ulong MaxSegment, DmaCosts Costs, bool RangeUnpin = true);

/// <summary>
/// An RDMA memory registration on one CPU, as ib_umem_get + reg_mr and their teardown do it
/// (drivers/infiniband/core/umem.c; mlx5_ib_reg_user_mr): pin the region call by call, building the descriptors of
/// the strategy as each call returns; map them for the device; register the MR with the NIC; then deregister,
/// unmap (ib_umem_release) and unpin. The strategies:
/// <list type="bullet">
/// <item><c>legacy</c>: ib_umem_get today — page arrays appended to one scatterlist
/// (sg_alloc_append_table_from_pages, left_pages so the table is allocated ahead), dma_map_sg at the end;</item>
/// <item><c>phyr-compat</c>, <c>phyr-native</c>: the phyrs kept in one list, dma_map_phyrs through a temporary
/// scatterlist or natively;</item>
/// <item><c>iova-link</c>: the two-step DMA API — dma_iova_try_alloc for the whole region first, dma_iova_link of each
/// call's output as it comes (one batch held at a time), dma_iova_sync at the end.</item>
/// </list>
/// </summary>
public sealed record IbUmemRegistration : RegionFlow<IbUmemRegistration>
{
    public required RegistrationPlan Dma { get; init; }

    /// <summary>legacy with page arrays: the MR's scatterlist.</summary>
    public SgAppendTable Sg { get; init; } = SgAppendTable.Empty;

    /// <summary>The phyr strategies: the region's phyrs, merged across calls.</summary>
    public RangeList Phyrs { get; init; } = RangeList.Empty;

    public DmaMapping? Mapping { get; init; }

    /// <summary>Translation entries (MTT) the NIC wrote for the MR.</summary>
    public long DeviceEntries { get; init; }

    public static IbUmemRegistration For(string name, GupCaller gup, RegistrationPlan dma) => new() { Name = name, Gup = gup, Dma = dma };

    /// <summary>The IOVA-link API allocates the whole range before the first call.</summary>
    protected override IbUmemRegistration Started(long now, Effects fx)
    {
        if (Dma.Strategy != DmaStrategy.IovaLink) return base.Started(now, fx);
        fx.Send(Dma.Domain, new IommuProtocol.IovaTryAlloc(Cpu, 0, RegionBytes));
        return this with { Times = Times with { Start = now }, Phase = RegionPhase.AllocatingIova };
    }

    /// <summary>Each call's output goes into the strategy's descriptors (or straight into the IOMMU for iova-link).</summary>
    protected override IbUmemRegistration CallReturned(long now, GupCall call, long delay, Effects fx)
    {
        var ranges = call.Ranges();
        var batchBytes = OutputArrayBytes(call);
        switch (Dma.Strategy)
        {
            case DmaStrategy.Legacy when call.Pages.Count > 0:
            {
                var left = (Gup.End - Gup.Next) >> Page.Shift;
                var sg = Sg.AppendFromPages(PageSpan.FromPfns(call.Pages, 0, (ulong)call.Pages.Count << Page.Shift), Dma.MaxSegment, left);
                var built = (sg.Nents - Sg.Nents) * Dma.Costs.SgEntryNs;
                return (this with { Sg = sg }).Peak(batchBytes + DescriptorSizes.SgAppendTable + sg.EntryBytes).AfterCall(delay + built, fx);
            }
            case DmaStrategy.IovaLink:
                if (ranges.Length == 0) return Peak(batchBytes).AfterCall(delay, fx);
                fx.Send(Dma.Domain, new IommuProtocol.IovaLink(ranges), delay);
                return Peak(batchBytes) with { Phase = RegionPhase.Linking };
            default: // the phyr strategies (and a legacy call that returned nothing)
            {
                var phyrs = Phyrs.Append(ranges);
                return (this with { Phyrs = phyrs }).Peak(batchBytes + (long)phyrs.Count * DescriptorSizes.Phyr).AfterCall(delay, fx);
            }
        }
    }

    protected override IbUmemRegistration On(FlowInput input, Effects fx)
    {
        switch (Phase, input.Message)
        {
            case (RegionPhase.AllocatingIova, IommuProtocol.IovaAllocated):
                return PinNext(0, fx);
            case (RegionPhase.Linking, IommuProtocol.Linked):
                return (this with { Phase = RegionPhase.Pinning }).AfterCall(0, fx);
            case (RegionPhase.Mapping, IommuProtocol.Mapped m):
                fx.Send(Dma.Nic, new RdmaProtocol.RegisterMr([.. m.Mapping.DeviceSegments], RegionStart, RegionBytes));
                return (this with { Mapping = m.Mapping, Phase = RegionPhase.Registering }).Peak(m.Mapping.TemporarySgEntries * DescriptorSizes.Scatterlist);
            case (RegionPhase.Registering, RdmaProtocol.Registered r):
                fx.Send(Dma.Nic, new RdmaProtocol.DeregisterMr(r.Entries));
                return this with { DeviceEntries = r.Entries, Phase = RegionPhase.Deregistering };
            case (RegionPhase.Registering, RdmaProtocol.Refused r):
                fx.Send(Dma.Domain, new IommuProtocol.Unmap(Cpu, Mapping!));
                return this with { Error = $"{Name}: the device refused the MR: {r.Reason}", Phase = RegionPhase.Unmapping };
            case (RegionPhase.Deregistering, RdmaProtocol.Deregistered):
                fx.Send(Dma.Domain, new IommuProtocol.Unmap(Cpu, Mapping!));
                return this with { Phase = RegionPhase.Unmapping };
            case (RegionPhase.Unmapping, IommuProtocol.Unmapped):
                return Unpin(input.Now, 0, fx, Dma.RangeUnpin
                    ? UnpinStyle.Default with { PageArray = false, Dirty = true }
                    : new UnpinStyle(FolioBatched: false, HugetlbBatched: false, PageArray: true, FollGet: false, Dirty: true));
            default:
                return base.On(input, fx);
        }
    }

    /// <summary>The next call, or — the region pinned — the map request of the strategy.</summary>
    private IbUmemRegistration AfterCall(long delay, Effects fx)
    {
        if (Gup.MoreToPin) return PinNext(delay, fx);
        object map = Dma.Strategy switch
        {
            DmaStrategy.Legacy => new IommuProtocol.MapSg(Cpu, [.. Sg.Segments()]),
            DmaStrategy.PhyrCompat => new IommuProtocol.MapPhyrs(Cpu, Phyrs, Native: false),
            DmaStrategy.PhyrNative => new IommuProtocol.MapPhyrs(Cpu, Phyrs, Native: true),
            _ => IommuProtocol.IovaSync.Instance,
        };
        fx.Send(Dma.Domain, map, delay);
        return this with { Phase = RegionPhase.Mapping };
    }
}

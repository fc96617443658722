using Phyr.Actors.Engine;
using Phyr.Actors.Resources;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Descriptors.Scatterlist;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Kernel;

/// <summary>
/// One simulated CPU registering its region the way a driver does (ib_umem_get, then reg_mr): pin batch by
/// batch — call, take what came back, call again from where it stopped — building the descriptors of its
/// DMA strategy; then map for the device, register the memory region, and at teardown deregister, unmap
/// and unpin. Without a DMA plan it only pins and unpins.
/// <para>
/// Each GUP call: optionally the has_pinned flag write on the mm's shared line; the walk (the process's
/// answer); the unlocked work (more walks from the top, the lockless fast path); then each lock hold in
/// order — mmap_lock (or the VMA's lock) to the end of the call, each PTE-table / huge-entry lock for the
/// entries processed under it. Thin: what a call does comes from the Domain's <see cref="Gup"/>, what it
/// costs from <see cref="GupCosts"/>, the DMA side from the IOMMU domain and device components.
/// </para>
/// </summary>
public sealed class PageTableWalker : SimComponent
{
    /// <summary>Begin the region.</summary>
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }

    /// <summary>
    /// Where the locks of a hold live: component ids, or -1 for a page-table lock only this CPU uses (the
    /// tables of its own region), which the walker owns: taking it is a local atomic, no message.
    /// </summary>
    public sealed record LockDirectory(int MmapLock, Func<ulong, int> VmaLock, Func<ulong, int> PteLock, Func<ulong, int> HugeLock, int MmFlagsLine,
        long ColdLockNs);

    /// <summary>
    /// The DMA side: strategy, the IOMMU domain and device components, the device's max segment. With
    /// <paramref name="VfioGuestBase"/> set, the region is guest memory mapped VFIO-style at that IOVA as it is
    /// pinned, and there is no device registration.
    /// </summary>
    public sealed record DmaPlan(DmaStrategy Strategy, int Domain, int Device, ulong MaxSegment, DmaCosts Costs, ulong? VfioGuestBase = null);

    private enum Phase { Pinning, TryAlloc, Linking, Mapping, Registering, Deregistering, Unmapping, Unpinning, Done }

    private readonly int _cpu;
    private readonly int _process;
    private readonly LockDirectory _locks;
    private readonly ulong _start, _end;
    private readonly GupCallKind _kind;
    private readonly int _batch;
    private readonly GupOptions _options;
    private readonly GupCosts _costs;
    private readonly DmaPlan? _dma;
    private readonly Spinlock.Release _release = new();

    private Phase _phase = Phase.Pinning;
    private ulong _next;
    private GupCall? _call;
    private int _holdIndex;
    private readonly List<int> _sleepingLocks = []; // mmap_lock or VMA locks held to the end of the call
    private SgAppendTable _sg = SgAppendTable.Empty;
    private readonly List<PhysRange> _ranges = [];
    private DmaMapping? _mapping;
    private readonly HashSet<(GupLock, ulong)> _touchedLocks = [];
    private readonly List<DmaMapping> _vfioMappings = [];
    private PhysRange? _vfioRun;     // the physically contiguous run still growing (vfio_pin_pages_remote)
    private ulong _vfioMapped;       // bytes of the region mapped so far
    private long _deviceEntries;

    public PageTableWalker(string name, int cpu, int process, LockDirectory locks, ulong start, ulong end, GupCallKind kind, int batch,
        GupOptions options, GupCosts costs, DmaPlan? dma = null) : base(name)
    {
        _cpu = cpu;
        _process = process;
        _locks = locks;
        _start = _next = start;
        _end = end;
        _kind = kind;
        _batch = batch;
        _options = options;
        _costs = costs;
        _dma = dma;
    }

    public long StartedAt { get; private set; } = -1;
    public long FinishedAt { get; private set; } = -1;

    /// <summary>When the last page was pinned and the unpin began (gup_test's get/put boundary).</summary>
    public long PinnedAt { get; private set; } = -1;
    public long Calls { get; private set; }
    public long PagesUnpinned { get; private set; }
    public string? Error { get; private set; }
    public GupTotals Totals { get; } = new();
    public DmaMapping? Mapping => _mapping;
    public long DescriptorBytesPeak { get; private set; }

    /// <summary>Where this CPU's time went, in ns: walks from the top, waiting for locks, pin atomics and unpin puts.</summary>
    public long WalkNs { get; private set; }
    public long LockWaitNs { get; private set; }
    public long AtomicsNs { get; private set; }

    private long _requestedAt; // when the lock request in flight was sent

    /// <summary>A grant's wait: its round trip less the two message hops an uncontended lock also takes.</summary>
    private void CountLockWait(SimContext ctx) => LockWaitNs += Math.Max(0, ctx.Now - _requestedAt - 2 * ctx.Lookahead);

    /// <summary>The page-table locks this CPU owns alone: never contended, measured here.</summary>
    public ResourceMetrics PrivatePteLocks { get; } = new();
    public ResourceMetrics PrivateHugeLocks { get; } = new();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case Start:
                StartedAt = ctx.Now;
                if (_dma is { Strategy: DmaStrategy.IovaLink } d)
                {
                    _phase = Phase.TryAlloc;
                    ctx.Send(d.Domain, new IommuDomain.IovaTryAlloc(_cpu, 0, _end - _start));
                }
                else BeginCall(ctx, 0);
                break;
            case SharedCacheLine.Completed:
                ctx.Send(_process, new Process.Walk(_kind, _next, _end, _batch, _options));
                break;
            case Process.Walked w:
                Calls++;
                WalkNs += _costs.WalksTime(w.Result.Accounting);
                AtomicsNs += _costs.AtomicsTime(w.Result.Accounting);
                _call = w.Result;
                Totals.Add(w.Result.Accounting);
                _next = w.Result.Next;
                _holdIndex = 0;
                // The request/reply stood for the first walk; the rest of the unlocked work follows.
                NextHold(ctx, Math.Max(0, _costs.Unlocked(w.Result.Accounting, _options.Longterm) - _costs.WalkNs));
                break;
            case Spinlock.Granted:
            {
                CountLockWait(ctx);
                var held = _call!.Accounting.Holds[_holdIndex++];
                var t = _costs.UnderLock(held, _options.Longterm);
                ctx.Send(ctx.Sender, _release, t + ctx.Lookahead);
                NextHold(ctx, t);
                break;
            }
            case RwSem.Granted:
                CountLockWait(ctx);
                _sleepingLocks.Add(ctx.Sender);
                _holdIndex++;
                NextHold(ctx, 0);
                break;
            case IommuDomain.Mapped m when _phase == Phase.Linking:
                // VFIO: a batch mapped at its guest-physical address.
                _vfioMappings.Add(m.Mapping);
                _phase = Phase.Pinning;
                AfterCall(ctx, 0);
                break;
            case IommuDomain.Linked when _phase == Phase.TryAlloc:
                _phase = Phase.Pinning;
                BeginCall(ctx, 0);
                break;
            case IommuDomain.Linked:
                _phase = Phase.Pinning;
                AfterCall(ctx, 0);
                break;
            case IommuDomain.Mapped m:
                _mapping = m.Mapping;
                Peak(m.Mapping.TemporarySgEntries * DescriptorSizes.Scatterlist);
                _phase = Phase.Registering;
                ctx.Send(_dma!.Device, new RdmaNic.RegisterMr([.. m.Mapping.DeviceSegments], _start, _end - _start));
                break;
            case RdmaNic.Registered r:
                _deviceEntries = r.Entries;
                _phase = Phase.Deregistering;
                ctx.Send(_dma!.Device, new RdmaNic.DeregisterMr(r.Entries));
                break;
            case RdmaNic.Refused r:
                Error = $"{Name}: the device refused the MR: {r.Reason}";
                _phase = Phase.Unmapping;
                ctx.Send(_dma!.Domain, new IommuDomain.Unmap(_cpu, _mapping!));
                break;
            case RdmaNic.Deregistered:
                _phase = Phase.Unmapping;
                ctx.Send(_dma!.Domain, new IommuDomain.Unmap(_cpu, _mapping!));
                break;
            case IommuDomain.Unmapped:
                Unpin(ctx, 0);
                break;
            case Process.Unpinned u:
                PagesUnpinned = u.Pages;
                AtomicsNs += u.Puts * _costs.UnpinNs;
                _phase = Phase.Done;
                FinishedAt = ctx.Now;
                break;
            case Process.Failed f:
                Error = $"{Name}: {f.Reason}";
                _phase = Phase.Done;
                FinishedAt = ctx.Now;
                break;
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name} in phase {_phase}");
        }
    }

    public long DeviceEntries => _deviceEntries;

    private void BeginCall(SimContext ctx, long delay)
    {
        if (_locks.MmFlagsLine >= 0) ctx.Send(_locks.MmFlagsLine, new SharedCacheLine.Atomic(_cpu), delay + ctx.Lookahead);
        else ctx.Send(_process, new Process.Walk(_kind, _next, _end, _batch, _options), delay + ctx.Lookahead);
    }

    /// <summary>Takes the next lock of the call <paramref name="delay"/> ns from now, or ends the call.</summary>
    private void NextHold(SimContext ctx, long delay)
    {
        var holds = _call!.Accounting.Holds;
        while (_holdIndex < holds.Count)
        {
            var h = holds[_holdIndex];
            var (target, request) = h.Lock switch
            {
                GupLock.Mmap => (_locks.MmapLock, (object)new RwSem.DownRead(_cpu)),
                GupLock.Vma => (_locks.VmaLock(h.Key), new RwSem.DownRead(_cpu)),
                GupLock.Pte => (_locks.PteLock(h.Key), new Spinlock.Acquire(_cpu)),
                _ => (_locks.HugeLock(h.Key), new Spinlock.Acquire(_cpu)),
            };
            if (target >= 0)
            {
                _requestedAt = ctx.Now + delay;
                ctx.Send(target, request, delay + ctx.Lookahead);
                return;
            }
            // A lock only this CPU uses: its line is in this CPU's cache after the first time.
            var take = _touchedLocks.Add((h.Lock, h.Key)) ? _locks.ColdLockNs : _costs.LocalLockNs;
            var held = _costs.UnderLock(h, _options.Longterm);
            var metrics = h.Lock == GupLock.Pte ? PrivatePteLocks : PrivateHugeLocks;
            metrics.Acquired(contended: false);
            metrics.Waited(0);
            metrics.Held(held);
            delay += take + held;
            _holdIndex++;
        }
        foreach (var sem in _sleepingLocks) ctx.Send(sem, new RwSem.UpRead(_cpu), delay + ctx.Lookahead);
        _sleepingLocks.Clear();
        EndCall(ctx, delay);
    }

    /// <summary>The call's output goes into the strategy's descriptors (or straight into the IOMMU for iova-link).</summary>
    private void EndCall(SimContext ctx, long delay)
    {
        var call = _call!;
        var ranges = call.Pages.Count > 0
            ? PhysRanges.Normalize(call.Pages.Select(p => new PhysRange(p << Page.Shift, Page.Size)))
            : [.. call.Phyrs];
        // An unlimited call's array is sized to what it returned (the region's pages, or its phyrs).
        var capacity = _batch == Scenario.UnlimitedBatch ? call.Pages.Count + call.Phyrs.Count : _batch;
        var batchBytes = (long)capacity * (_kind == GupCallKind.PinUserPages ? DescriptorSizes.PagePointer : DescriptorSizes.Phyr);
        if (_dma?.VfioGuestBase is not null)
        {
            // vfio_pin_map_dma maps each maximal physically contiguous run once it stops growing.
            Peak(batchBytes);
            var complete = new List<PhysRange>();
            foreach (var r in ranges)
            {
                if (_vfioRun is { } run && run.End == r.Addr) _vfioRun = run with { Len = run.Len + r.Len };
                else
                {
                    if (_vfioRun is { } done) complete.Add(done);
                    _vfioRun = r;
                }
            }
            if (complete.Count > 0)
            {
                VfioMap(ctx, complete, delay);
                return;
            }
            AfterCall(ctx, delay);
            return;
        }
        switch (_dma?.Strategy)
        {
            case DmaStrategy.Legacy when call.Pages.Count > 0:
            {
                var before = _sg.Nents;
                var left = (_end - _next) >> Page.Shift;
                _sg = _sg.AppendFromPages(PageSpan.FromPfns(call.Pages, 0, (ulong)call.Pages.Count << Page.Shift), _dma.MaxSegment, left);
                delay += (_sg.Nents - before) * _dma.Costs.SgEntryNs;
                Peak(batchBytes + DescriptorSizes.SgAppendTable + _sg.EntryBytes);
                break;
            }
            case DmaStrategy.PhyrCompat or DmaStrategy.PhyrNative or DmaStrategy.Legacy:
                Append(ranges);
                Peak(batchBytes + (long)_ranges.Count * DescriptorSizes.Phyr);
                break;
            case DmaStrategy.IovaLink:
                Peak(batchBytes);
                if (ranges.Length > 0)
                {
                    _phase = Phase.Linking;
                    ctx.Send(_dma.Domain, new IommuDomain.IovaLink([.. ranges]), delay + ctx.Lookahead);
                    return;
                }
                break;
            default:
                Peak(batchBytes);
                break;
        }
        AfterCall(ctx, delay);
    }

    private void AfterCall(SimContext ctx, long delay)
    {
        if (_next < _end && _call!.Next > _call.Start)
        {
            BeginCall(ctx, delay);
            return;
        }
        if (_dma is null)
        {
            Unpin(ctx, delay);
            return;
        }
        if (_dma.VfioGuestBase is { } guest)
        {
            if (_vfioRun is { } last)
            {
                _vfioRun = null;
                VfioMap(ctx, [last], delay);
                return;
            }
            // The guest ran; at teardown VFIO unmaps its memory and unpins it.
            _mapping = new DmaMapping
            {
                Strategy = _dma.Strategy, DeviceSegments = [new PhysRange(guest, _end - _start)],
                MapCalls = [.. _vfioMappings.SelectMany(m => m.MapCalls)],
            };
            _phase = Phase.Unmapping;
            ctx.Send(_dma.Domain, new IommuDomain.UnmapAt(guest, _end - _start), delay + ctx.Lookahead);
            return;
        }
        _phase = Phase.Mapping;
        object map = _dma.Strategy switch
        {
            DmaStrategy.Legacy when _kind == GupCallKind.PinUserPages => new IommuDomain.MapSg(_cpu, [.. _sg.Segments()]),
            DmaStrategy.Legacy => new IommuDomain.MapSg(_cpu, [.. _ranges]),
            DmaStrategy.PhyrCompat => new IommuDomain.MapPhyrs(_cpu, [.. _ranges], Native: false),
            DmaStrategy.PhyrNative => new IommuDomain.MapPhyrs(_cpu, [.. _ranges], Native: true),
            _ => new IommuDomain.IovaSync(),
        };
        ctx.Send(_dma.Domain, map, delay + ctx.Lookahead);
    }

    private void VfioMap(SimContext ctx, List<PhysRange> runs, long delay)
    {
        var iova = _dma!.VfioGuestBase!.Value + _vfioMapped;
        foreach (var r in runs) _vfioMapped += r.Len;
        _phase = Phase.Linking;
        ctx.Send(_dma.Domain, new IommuDomain.MapAt(iova, [.. runs]), delay + ctx.Lookahead);
    }

    private void Unpin(SimContext ctx, long delay)
    {
        _phase = Phase.Unpinning;
        PinnedAt = ctx.Now + delay;
        ctx.Send(_process, new Process.Unpin(_start, _end, _options.FolioBatchedPin && !_options.PutPerPage,
            _options.HugetlbHeadRefcount && !_options.PutPerPage, _costs.UnpinNs), delay + ctx.Lookahead);
    }

    private void Append(IReadOnlyList<PhysRange> ranges)
    {
        foreach (var r in ranges)
        {
            if (_ranges.Count > 0 && _ranges[^1].End == r.Addr) _ranges[^1] = _ranges[^1] with { Len = _ranges[^1].Len + r.Len };
            else _ranges.Add(r);
        }
    }

    private void Peak(long bytes) => DescriptorBytesPeak = Math.Max(DescriptorBytesPeak, bytes);
}

/// <summary>A walker's GUP accounting summed over its calls.</summary>
public sealed class GupTotals
{
    public long Walks, FastPathPages, LockedPathPages, PteLocks, HugeLocks, MmapLocks, VmaLocks, Faults, PagesPinned, PinAtomics, Entries;

    public void Add(GupAccounting a)
    {
        Walks += a.Walks;
        FastPathPages += a.FastPathPages;
        LockedPathPages += a.LockedPathPages;
        PteLocks += a.PteLockAcquisitions;
        HugeLocks += a.HugeLockAcquisitions;
        MmapLocks += a.MmapLockAcquisitions;
        VmaLocks += a.VmaLockAcquisitions;
        Faults += a.Faults;
        PagesPinned += a.PagesPinned;
        PinAtomics += a.PinAtomics;
        Entries += a.Entries;
    }
}

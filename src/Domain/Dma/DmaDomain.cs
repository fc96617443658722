using Phyr.Domain.Iommu;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Dma;

/// <summary>What a device access found at a DMA address.</summary>
public enum DeviceAccess { Mapped, Stale, Fault }

/// <summary>What an unmap did: the leaves cleared, the IOTLB invalidations, the IOVA frees, whether the flush queue's
/// timer is to be armed, and the ops->unmap_pages calls (__iommu_unmap's pieces of the range).</summary>
public readonly record struct UnmapResult(long PtesCleared, long IotlbInvalidations, IReadOnlyList<IovaOp> IovaFrees, bool ArmFlushTimer, long UnmapCalls = 0);

/// <summary>
/// A device's DMA domain: the IOMMU mode, its IOVA space, IO page table and flush queue, and the mapping
/// paths of dma-iommu.c and dma-direct (single owner, mutable; the IOMMU domain component owns it).
/// </summary>
public sealed class DmaDomain(IommuMode mode, FlushQueue? flushQueue = null, ulong pgsizeBitmap = Iommu.IommuPgsize.X86Bitmap)
{
    private const int GranuleShift = 12;
    private const ulong Granule = 1UL << GranuleShift;

    public IommuMode Mode { get; } = mode;
    public IovaDomain Iova { get; } = new(GranuleShift);
    public IoPageTable PageTable { get; } = new(pgsizeBitmap);
    public FlushQueue FlushQueue { get; } = flushQueue ?? new FlushQueue();
    public Iotlb Iotlb { get; } = new(GranuleShift);

    /// <summary>
    /// dma_map_sg: through the IOMMU, iommu_dma_map_sg — segments laid out at IOVA-granule alignment (with
    /// padding so none crosses the device's segment boundary), ONE IOVA allocation for all, iommu_map_sg
    /// (physically contiguous neighbours in one __iommu_map), then __finalise_sg merging IOVA-contiguous
    /// segments up to the device's max segment size. Without translation, dma_direct_map_sg: one device
    /// segment per entry at its physical address.
    /// </summary>
    public DmaMapping MapSg(int cpu, IReadOnlyList<PhysRange> sg, DeviceLimits dev, DmaStrategy strategy = DmaStrategy.Legacy,
        long temporarySgEntries = 0)
    {
        if (sg.Count == 0) throw new ArgumentException("dma_map_sg of an empty list");
        if (!Mode.Translates())
            return new DmaMapping { Strategy = strategy, DeviceSegments = [.. sg], TemporarySgEntries = temporarySgEntries };

        // The segments' IOVA layout is computed as it is used (three passes over sg), never held: at a terabyte of scattered
        // pages a list of it would be the largest thing in the heap.
        ulong iovaLen = 0;
        foreach (var s in Layout(sg, dev.SegmentBoundaryMask)) iovaLen += s.IovaLen;
        var (alloc, iova) = AllocIova(cpu, iovaLen, dev);

        // iommu_map_sg: one __iommu_map per run of physically contiguous (aligned) segments. A map of exactly one phyr of a
        // list (whole pages, no padding after it) is made as that range of the list, so the IO page table may keep its
        // 4 KiB leaves as windows on the list.
        var map = new IommuMaps(PageTable, iova);
        var list = sg as RangeList;
        ulong start = 0, len = 0;
        int first = 0, k = 0;
        var whole = false; // the map pending is one phyr of the list, whole pages, no padding
        foreach (var s in Layout(sg, dev.SegmentBoundaryMask))
        {
            var phys = s.Phys.Addr - s.IovaOff;
            if (len > 0 && phys != start + len)
            {
                Flush();
                len = 0;
            }
            if (len > 0)
            {
                len += s.IovaLen;
                whole = false;
            }
            else
            {
                len = s.IovaLen;
                start = phys;
                first = k;
                whole = s.IovaOff == 0 && s.IovaLen == s.Phys.Len;
            }
            k++;
        }
        Flush();
        return Mapped(strategy, alloc, iova, iovaLen, map, Finalise(Layout(sg, dev.SegmentBoundaryMask), iova, dev), temporarySgEntries);

        void Flush()
        {
            if (list is not null && whole) map.Map(list, first);
            else map.Map(start, len);
        }
    }

    /// <summary>phyr-compat: a temporary scatterlist of one entry per phyr (cut at the device's max segment), then dma_map_sg.</summary>
    public DmaMapping MapPhyrsCompat(int cpu, IReadOnlyList<PhysRange> phyrs, DeviceLimits dev)
    {
        var sg = Split(phyrs, Math.Min(dev.MaxSegmentSize, uint.MaxValue)).ToList();
        return MapSg(cpu, sg, dev, DmaStrategy.PhyrCompat, sg.Count);
    }

    /// <summary>
    /// phyr-native dma_map_phyrs: the same IOVA layout and device view as dma_map_sg, but straight from the
    /// phyrs (one iommu_map per phyr, no scatterlist). Without translation the phyrs are the DMA addresses,
    /// cut at the device's max segment.
    /// </summary>
    public DmaMapping MapPhyrsNative(int cpu, IReadOnlyList<PhysRange> phyrs, DeviceLimits dev)
    {
        if (!Mode.Translates())
            return new DmaMapping { Strategy = DmaStrategy.PhyrNative, DeviceSegments = [.. Split(phyrs, dev.MaxSegmentSize)] };
        return MapSg(cpu, phyrs, dev, DmaStrategy.PhyrNative);
    }

    /// <summary>An IOVA range being filled by dma_iova_link calls.</summary>
    public sealed class IovaLinkState
    {
        internal IovaLinkState(IovaOp alloc, ulong iova, ulong size, ulong firstOffset)
        {
            Alloc = alloc;
            Iova = iova;
            Size = size;
            FirstOffset = firstOffset;
        }

        public IovaOp Alloc { get; }
        public ulong Iova { get; }
        public ulong Size { get; }
        public ulong FirstOffset { get; }
        public ulong Linked { get; internal set; }
        public ulong Bytes { get; internal set; }
        internal long Calls, MapPages, Ptes, Tables;
    }

    /// <summary>dma_iova_try_alloc: an IOVA range for <paramref name="totalBytes"/> (plus the first range's offset); null without translation.</summary>
    public IovaLinkState? IovaTryAlloc(int cpu, ulong firstOffset, ulong totalBytes, DeviceLimits dev)
    {
        if (!Mode.Translates()) return null;
        var size = AlignUp(firstOffset + totalBytes);
        var (alloc, iova) = AllocIova(cpu, size, dev);
        return new IovaLinkState(alloc, iova, size, firstOffset);
    }

    /// <summary>dma_iova_link of each range at the next IOVAs (iommu_map without sync); returns the work done.</summary>
    public IoPtOp IovaLink(IovaLinkState s, IReadOnlyList<PhysRange> ranges)
    {
        int calls = 0;
        long ptes = 0, tables = 0;
        foreach (var r in ranges)
        {
            var phys = r.Addr & ~(Granule - 1);
            var len = AlignUp((r.Addr & (Granule - 1)) + r.Len);
            if (s.Linked + len > s.Size) throw new InvalidOperationException("dma_iova_link past the end of the IOVA range allocated");
            var op = PageTable.Map(s.Iova + s.Linked, phys, len);
            s.Calls++;
            s.Linked += len;
            s.Bytes += r.Len;
            calls++;
            ptes += op.PtesWritten;
            tables += op.TablesAllocated;
            s.MapPages += op.MapPagesCalls;
        }
        s.Ptes += ptes;
        s.Tables += tables;
        return new IoPtOp(calls, ptes, (int)tables);
    }

    /// <summary>dma_iova_sync: the mapping is complete; the device gets one contiguous range (cut at its max segment).</summary>
    public DmaMapping IovaSync(IovaLinkState s, DeviceLimits dev) => new()
    {
        Strategy = DmaStrategy.IovaLink, DeviceSegments = [.. Split([new PhysRange(s.Iova + s.FirstOffset, s.Bytes)], dev.MaxSegmentSize)],
        IovaBase = s.Iova, IovaLength = s.Size, IovaAlloc = s.Alloc, IommuMapCalls = s.Calls, MappedLength = s.Linked, MapPagesCalls = s.MapPages,
        PtesWritten = s.Ptes, TablesAllocated = s.Tables,
    };

    /// <summary>
    /// The IOVA-link API in one go: dma_iova_try_alloc for the whole length, one dma_iova_link (iommu_map)
    /// per range at consecutive IOVAs, one dma_iova_sync. The device gets one contiguous range (cut at its
    /// max segment). Without translation dma_iova_try_alloc fails and each range is mapped with
    /// dma_map_phys: its physical address.
    /// </summary>
    public DmaMapping MapIovaLink(int cpu, IReadOnlyList<PhysRange> ranges, DeviceLimits dev)
    {
        if (ranges.Count == 0) throw new ArgumentException("dma_iova_link of nothing");
        ulong total = 0;
        foreach (var r in ranges) total += r.Len;
        var state = IovaTryAlloc(cpu, ranges[0].Addr & (Granule - 1), total, dev);
        if (state is null)
            return new DmaMapping { Strategy = DmaStrategy.IovaLink, DeviceSegments = [.. Split(ranges, dev.MaxSegmentSize)] };
        IovaLink(state, ranges);
        return IovaSync(state, dev);
    }

    /// <summary>
    /// VFIO type1 (vfio_pin_map_dma): ranges mapped at IOVAs the user chose — the guest's physical addresses
    /// — consecutively from <paramref name="iova"/>, with no IOVA allocator. Returns the mapping made.
    /// </summary>
    public DmaMapping MapAt(ulong iova, IReadOnlyList<PhysRange> ranges)
    {
        if (!Mode.Translates()) throw new InvalidOperationException("VFIO needs a translating IOMMU domain (strict or lazy)");
        var map = new IommuMaps(PageTable, iova);
        foreach (var r in ranges)
        {
            if ((r.Addr & (Granule - 1)) != 0 || (r.Len & (Granule - 1)) != 0)
                throw new ArgumentException("VFIO maps whole pages");
            map.Map(r.Addr, r.Len);
        }
        // No allocator: the IOVA range belongs to the user, so the mapping records none (UnmapAt undoes it).
        return Mapped(DmaStrategy.Legacy, null, 0, 0, map, [new PhysRange(iova, map.Length)], 0);
    }

    /// <summary>VFIO's unmap of [iova, iova + size): clear the IO page table, one IOTLB sync for the range (strict) or the flush queue's timer (lazy, not for VFIO: always synced).</summary>
    public UnmapResult UnmapAt(ulong iova, ulong size)
    {
        var (ptes, _, calls) = PageTable.Unmap(iova, size);
        Iotlb.Sync();
        return new UnmapResult(ptes, 1, [], false, calls);
    }

    /// <summary>VFIO's vfio_unmap_unpin: what its IOMMU part does (drivers/vfio/vfio_iommu_type1.c).</summary>
    public readonly record struct VfioUnmapResult(long PagesLookedUp, long Runs, long PtesCleared, long Syncs, long UnmapCalls);

    /// <summary>The IOTLB syncs vfio_unmap_unpin batches: one per VFIO_IOMMU_TLB_SYNC_MAX unmapped regions.</summary>
    public const int VfioTlbSyncMax = 512;

    /// <summary>
    /// vfio_unmap_unpin over [iova, iova + size): iommu_iova_to_phys per 4 KiB page, extending a run while the physical
    /// addresses follow; iommu_unmap_fast per run (unmap_unpin_fast); iommu_iotlb_sync every <see cref="VfioTlbSyncMax"/>
    /// runs and once at the end (vfio_sync_unpin).
    /// </summary>
    public VfioUnmapResult VfioUnmapUnpin(ulong iova, ulong size)
    {
        long pages = 0, runs = 0, ptes = 0, calls = 0;
        var end = iova + size;
        for (var va = iova; va < end;)
        {
            var leaf = PageTable.LeafAt(va) ?? throw new InvalidOperationException($"vfio_unmap_unpin: IOVA 0x{va:x} is not mapped");
            var phys = leaf.Paddr + (va - leaf.Iova);
            // A look-up per 4 KiB page while the physical addresses follow on, counted a leaf at a time (inside a leaf they do).
            var len = 0UL;
            while (true)
            {
                var upTo = Math.Min(leaf.Iova + leaf.Size, end);
                pages += (long)((upTo - (va + len)) >> Page.Shift);
                len = upTo - va;
                if (va + len >= end) break;
                if (PageTable.LeafAt(va + len) is not { } next || next.Paddr + (va + len - next.Iova) != phys + len)
                {
                    pages++; // the look-up that found the run's end (the next run looks its first page up again)
                    break;
                }
                leaf = next;
            }
            var unmapped = PageTable.Unmap(va, len);
            ptes += unmapped.PtesCleared;
            calls += unmapped.Calls;
            runs++;
            va += len;
        }
        var syncs = (runs + VfioTlbSyncMax - 1) / VfioTlbSyncMax;
        for (var i = 0; i < syncs; i++) Iotlb.Sync();
        return new VfioUnmapResult(pages, runs, ptes, syncs, calls);
    }

    /// <summary>
    /// Unmap at <paramref name="now"/>, as __iommu_dma_unmap (drivers/iommu/dma-iommu.c) does for dma_unmap_sg, a phyr
    /// mapping and dma_iova_destroy alike: ONE iommu_unmap_fast of the whole IOVA range — however many iommu_map calls made
    /// it — so its unmap_pages calls are __iommu_unmap's pieces of the range; then in strict mode invalidate the IOTLB for
    /// the range and free the IOVA; in lazy mode queue the IOVA (its translation stays reachable until a flush).
    /// </summary>
    public UnmapResult Unmap(int cpu, DmaMapping m, long now)
    {
        if (!m.Translated) return new UnmapResult(0, 0, [], false);
        // The map calls covered [IovaBase, IovaBase + MappedLength) back to back and no leaf spans two of them: one pass clears
        // the leaves they wrote.
        var end = m.IovaBase + m.MappedLength;
        if (Mode == IommuMode.Lazy)
            for (var va = m.IovaBase; va < end; va += Granule)
                if (PageTable.Translate(va) is { } pa) Iotlb.Keep(va, pa);
        var (ptes, _, calls) = m.MappedLength > 0 ? PageTable.Unmap(m.IovaBase, m.MappedLength) : default;
        var pages = m.IovaLength >> GranuleShift;
        var pfn = m.IovaBase >> GranuleShift;
        if (Mode == IommuMode.Strict)
        {
            Iotlb.Sync();
            return new UnmapResult(ptes, 1, [Iova.FreeFast(cpu, pfn, pages)], false, calls);
        }
        var outcome = FlushQueue.Queue(cpu, pfn, pages, now);
        var frees = Apply(outcome, cpu, now);
        return new UnmapResult(ptes, outcome.Flushed ? 1 : 0, frees, outcome.ArmTimer, calls);
    }

    /// <summary>The flush queue's timer fired at <paramref name="now"/>.</summary>
    public UnmapResult FlushTimeout(int cpu, long now)
    {
        var outcome = FlushQueue.Timeout();
        return new UnmapResult(0, outcome.Flushed ? 1 : 0, Apply(outcome, cpu, now), false);
    }

    /// <summary>What the device reaches at <paramref name="dma"/>: a live mapping, a stale IOTLB entry, or a fault.</summary>
    public DeviceAccess Access(ulong dma) => DeviceTranslate(dma).Access;

    /// <summary>The device's view of <paramref name="dma"/>: how it is reached, and the physical address it reaches (none on a fault).</summary>
    public (DeviceAccess Access, ulong? Paddr) DeviceTranslate(ulong dma)
    {
        if (!Mode.Translates()) return (DeviceAccess.Mapped, dma);
        if (PageTable.Translate(dma) is { } pa) return (DeviceAccess.Mapped, pa);
        return Iotlb.Stale(dma & ~(Granule - 1)) is { } old
            ? (DeviceAccess.Stale, old + (dma & (Granule - 1)))
            : (DeviceAccess.Fault, null);
    }

    private List<IovaOp> Apply(FlushQueue.Outcome outcome, int cpu, long now)
    {
        if (outcome.Flushed) Iotlb.Flush();
        var frees = new List<IovaOp>();
        foreach (var e in outcome.Freed)
        {
            Iotlb.Invalidated(e.IovaPfn, e.Pages, e.QueuedAt, now);
            frees.Add(Iova.FreeFast(cpu, e.IovaPfn, e.Pages));
        }
        return frees;
    }

    private (IovaOp Alloc, ulong Iova) AllocIova(int cpu, ulong bytes, DeviceLimits dev)
    {
        var op = Iova.AllocFast(cpu, bytes >> GranuleShift, dev.DmaMask >> GranuleShift);
        return (op, op.Pfn << GranuleShift);
    }

    /// <summary>__iommu_map calls made back to back from an IOVA, each into the IO page table as it comes.</summary>
    private sealed class IommuMaps(IoPageTable table, ulong iova)
    {
        public long Calls, MapPages, Ptes, Tables;
        public ulong Length;

        public void Map(ulong paddr, ulong len) => Count(table.Map(iova + Length, paddr, len), len);

        /// <summary>The map of the list's range <paramref name="run"/>, its 4 KiB leaves a window on the list.</summary>
        public void Map(RangeList list, int run) => Count(table.Map(iova + Length, list, run), list[run].Len);

        private void Count(IoPtOp op, ulong len)
        {
            Calls++;
            MapPages += op.MapPagesCalls;
            Ptes += op.PtesWritten;
            Tables += op.TablesAllocated;
            Length += len;
        }
    }

    private static DmaMapping Mapped(DmaStrategy strategy, IovaOp? alloc, ulong iova, ulong iovaLen, IommuMaps map,
        IReadOnlyList<PhysRange> device, long temporarySg) => new()
    {
        Strategy = strategy, DeviceSegments = device, IovaBase = iova, IovaLength = iovaLen, IovaAlloc = alloc,
        IommuMapCalls = map.Calls, MappedLength = iovaLen > 0 ? map.Length : 0, MapPagesCalls = map.MapPages, PtesWritten = map.Ptes,
        TablesAllocated = map.Tables, TemporarySgEntries = temporarySg,
    };

    /// <summary>A segment laid out in IOVA space: its physical range, offset in the granule, and aligned IOVA length (with padding).</summary>
    private readonly record struct SegLayout(PhysRange Phys, ulong IovaOff, ulong IovaLen);

    /// <summary>
    /// The first loop of iommu_dma_map_sg: align each segment to the granule; pad the previous one so none crosses the
    /// boundary (so a segment is yielded once the next one is known).
    /// </summary>
    private static IEnumerable<SegLayout> Layout(IReadOnlyList<PhysRange> sg, ulong mask)
    {
        SegLayout? previous = null;
        ulong iovaLen = 0;
        foreach (var s in sg)
        {
            var off = s.Addr & (Granule - 1);
            var len = AlignUp(s.Len + off);
            var pad = (mask - iovaLen + 1) & mask;
            if (pad != 0 && pad < len - 1 && previous is { } p)
            {
                previous = p with { IovaLen = p.IovaLen + pad };
                iovaLen += pad;
            }
            if (previous is { } done) yield return done;
            iovaLen += len;
            previous = new SegLayout(s, off, len);
        }
        if (previous is { } last) yield return last;
    }

    /// <summary>__finalise_sg: the device's segments.</summary>
    private static List<PhysRange> Finalise(IEnumerable<SegLayout> layout, ulong dmaAddr, DeviceLimits dev)
    {
        var segs = new List<PhysRange>();
        ulong curLen = 0;
        var maxLen = Math.Min(dev.MaxSegmentSize, uint.MaxValue);
        foreach (var s in layout)
        {
            var sLength = s.Phys.Len;
            if (curLen > 0 && s.IovaOff == 0 && (dmaAddr & dev.SegmentBoundaryMask) != 0 && maxLen - curLen >= sLength)
            {
                curLen += sLength;
                segs[^1] = segs[^1] with { Len = curLen };
            }
            else
            {
                curLen = sLength;
                segs.Add(new PhysRange(dmaAddr + s.IovaOff, curLen));
            }
            dmaAddr += s.IovaLen;
            if (sLength + s.IovaOff < s.IovaLen) curLen = 0;
        }
        return segs;
    }

    /// <summary>Ranges cut into pieces of at most <paramref name="max"/> bytes.</summary>
    private static IEnumerable<PhysRange> Split(IEnumerable<PhysRange> ranges, ulong max)
    {
        foreach (var r in ranges)
            for (ulong off = 0; off < r.Len; off += max)
                yield return new PhysRange(r.Addr + off, Math.Min(max, r.Len - off));
    }

    private static ulong AlignUp(ulong x) => (x + Granule - 1) & ~(Granule - 1);
}

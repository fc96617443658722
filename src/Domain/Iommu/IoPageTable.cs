using System.Runtime.InteropServices;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Iommu;

/// <summary>What one iommu_map / iommu_unmap did to the IO page table.</summary>
public readonly record struct IoPtOp(int MapPagesCalls, long PtesWritten, int TablesAllocated);

/// <summary>
/// An x86-style IO page table (AMD v1 / VT-d second level: four levels of 512 entries, leaves of 4 KiB,
/// 2 MiB and 1 GiB). <see cref="Map(ulong, ulong, ulong)"/> cuts each range with <see cref="IommuPgsize"/> exactly as
/// __iommu_map does and writes one leaf entry per IO page, allocating the tables below the root on
/// first use; <see cref="Unmap"/> clears whole leaves (a partial unmap of a large leaf removes all of it,
/// as iommu_unmap reports). <see cref="Translate"/> is what the device sees: it is used to check that no
/// DMA reaches an unmapped IOVA. A map of a phyr list's range (<see cref="Map(ulong, RangeList, int)"/>) keeps the
/// level-1 tables its 4 KiB leaves fill as windows on the list (<see cref="ListLeaves"/>) instead of copies of its frames;
/// every entry, count and check is the same.
/// </summary>
public sealed class IoPageTable(ulong pgsizeBitmap = IommuPgsize.X86Bitmap)
{
    private const int Level1Shift = 21, Level2Shift = 30, Level3Shift = 39; // what one table at each level covers
    // Leaves as the hardware holds them: 4 KiB leaves in 512-entry level-1 tables (their frame + 1; 0 is empty; 4 bytes
    // a leaf where a real IO page table has 8, see PfnTable), 2 MiB and 1 GiB leaves one entry each (paddr + 1).
    private readonly Dictionary<ulong, PfnTable> _small = [];  // iova >> 21 -> level-1 table of 4 KiB leaves
    private readonly Dictionary<ulong, ListLeaves> _views = []; // or its leaves as a window on a phyr list (not in _small)
    private readonly Dictionary<ulong, ulong> _mid = [];      // iova >> 21 -> 2 MiB leaf
    private readonly Dictionary<ulong, ulong> _huge = [];     // iova >> 30 -> 1 GiB leaf
    private readonly HashSet<(int Level, ulong Index)> _tables = [];
    private readonly Dictionary<ulong, int> _smallUnder2M = [];  // 4 KiB leaves per 2 MiB region
    private readonly Dictionary<ulong, int> _smallerUnder1G = []; // 4 KiB and 2 MiB leaves per 1 GiB region

    public ulong PgsizeBitmap { get; } = pgsizeBitmap;
    public long Leaves { get; private set; }
    public int Tables => _tables.Count;

    /// <summary>Level-1 tables held as windows on a phyr list (<see cref="ListLeaves"/>).</summary>
    public int Views => _views.Count;

    public IoPtOp Map(ulong iova, ulong paddr, ulong size) => Map(iova, paddr, size, null, 0);

    /// <summary>The map of range <paramref name="run"/> of <paramref name="list"/> at <paramref name="iova"/>: as
    /// <see cref="Map(ulong, ulong, ulong)"/> of its address and length, its 4 KiB leaves kept as a window on the list.</summary>
    public IoPtOp Map(ulong iova, RangeList list, int run) => Map(iova, list[run].Addr, list[run].Len, list, run);

    private IoPtOp Map(ulong iova, ulong paddr, ulong size, RangeList? list, int run)
    {
        long ptes = 0;
        int tables = 0, calls = 0;
        foreach (var call in IommuPgsize.Pieces(PgsizeBitmap, iova, paddr, size))
        {
            calls++;
            if (call.PageSize == 1UL << 12)
            {
                MapSmall(call, ref ptes, ref tables, list, run, paddr);
                continue;
            }
            for (ulong i = 0; i < call.Count; i++)
            {
                var va = call.Iova + i * call.PageSize;
                if (Translate(va) is not null || OverlapsSmallerLeaves(va, call.PageSize)) throw Exists(va);
                SetLeaf(va, call.PageSize, call.Paddr + i * call.PageSize + 1);
                Count(va, call.PageSize, +1);
                ptes++;
                tables += AllocateTablesFor(va, call.PageSize);
            }
        }
        return new IoPtOp(calls, ptes, tables);
    }

    /// <summary>
    /// A call's 4 KiB leaves, a level-1 table at a time: the same checks, entries and counts as leaf by leaf (a chunk
    /// shares its tables above, so only its first leaf can allocate one), with the dictionary work once per table.
    /// </summary>
    private void MapSmall(IommuMapping call, ref long ptes, ref int tables, RangeList? list, int run, ulong runAddr)
    {
        for (ulong i = 0; i < call.Count;)
        {
            var va = call.Iova + (i << 12);
            var index = va >> Level1Shift;
            var first = (int)((va >> 12) & 511);
            var n = (int)Math.Min(call.Count - i, (ulong)(512 - first));
            if ((_mid.Count > 0 && _mid.ContainsKey(index)) || (_huge.Count > 0 && _huge.ContainsKey(va >> Level2Shift))) throw Exists(va);
            // The page of the list's range this chunk starts at: a window takes it when it carries one on, or starts one in a
            // table not there yet (whose entries are all empty); any other chunk goes to a table of its own.
            var offset = (call.Paddr + (i << 12) - runAddr) >> 12;
            var view = index == _lastViewIndex ? _lastView : _views.GetValueOrDefault(index);
            if (list is not null && (view?.Continues(list, first, run, offset) ?? !_small.ContainsKey(index)))
            {
                if (view is null) _views[index] = view = new ListLeaves(list, first, run, offset, n);
                else view.Append(run, offset, n);
                (_lastViewIndex, _lastView) = (index, view);
            }
            else
            {
                var table = TableFor(index);
                for (var j = 0; j < n; j++)
                    if (table[first + j] != 0) throw Exists(va + ((ulong)j << 12));
                var entry = ((call.Paddr >> 12) + i) + 1;
                for (var j = 0; j < n; j++) table[first + j] = entry + (ulong)j;
            }
            Leaves += n;
            CollectionsMarshal.GetValueRefOrAddDefault(_smallUnder2M, index, out _) += n;
            CollectionsMarshal.GetValueRefOrAddDefault(_smallerUnder1G, va >> Level2Shift, out _) += n;
            // A table allocated once stays: the chunks after the first in a level-1 table allocate nothing.
            if (index != _lastSmallTable)
            {
                tables += AllocateTablesFor(va, 1UL << 12);
                _lastSmallTable = index;
            }
            ptes += n;
            i += (ulong)n;
        }
    }

    // The window a map's last chunk went to and the level-1 table whose tables it had (tables are never freed): a map's
    // chunks come in IOVA order, most into the table of the one before.
    private ulong _lastViewIndex = ulong.MaxValue, _lastSmallTable = ulong.MaxValue;
    private ListLeaves? _lastView;

    private void ForgetView(ulong index)
    {
        if (index == _lastViewIndex) (_lastViewIndex, _lastView) = (ulong.MaxValue, null);
    }

    /// <summary>The level-1 table at <paramref name="index"/> as a table that may change: a window made a copy, or a new table.</summary>
    private PfnTable TableFor(ulong index)
    {
        if (_small.TryGetValue(index, out var table)) return table;
        ForgetView(index);
        if (_views.Remove(index, out var view)) return _small[index] = view.Materialize();
        return _small[index] = new PfnTable();
    }

    private static InvalidOperationException Exists(ulong va) => new($"iommu_map: IOVA 0x{va:x} is already mapped (-EEXIST)");

    /// <summary>
    /// iommu_unmap / iommu_unmap_fast of [iova, iova + size): __iommu_unmap (drivers/iommu/iommu.c) cuts the range with
    /// iommu_pgsize(domain, iova, iova, ...) and makes one ops->unmap_pages call per piece, which clears every leaf in it
    /// (a leaf reaching past the piece is cleared whole, and the next piece starts after it). Returns the leaves cleared,
    /// the bytes they mapped and the unmap_pages calls.
    /// </summary>
    public (long PtesCleared, ulong BytesUnmapped, int Calls) Unmap(ulong iova, ulong size)
    {
        long cleared = 0;
        ulong bytes = 0;
        var calls = 0;
        var end = iova + size;
        for (var va = iova; va < end;)
        {
            var (pgsize, count) = IommuPgsize.Pick(PgsizeBitmap, va, va, end - va);
            calls++;
            for (var pieceEnd = va + pgsize * count; va < pieceEnd;)
            {
                if (ClearWindow(va, pieceEnd) is var n and > 0)
                {
                    cleared += n;
                    bytes += (ulong)n << 12;
                    va += (ulong)n << 12;
                    continue;
                }
                var leaf = LeafAt(va) ?? throw new InvalidOperationException($"iommu_unmap: IOVA 0x{va:x} is not mapped");
                SetLeaf(leaf.Iova, leaf.Size, 0);
                Count(leaf.Iova, leaf.Size, -1);
                cleared++;
                bytes += leaf.Size;
                va = leaf.Iova + leaf.Size;
            }
        }
        return (cleared, bytes, calls);
    }

    /// <summary>
    /// A window (<see cref="ListLeaves"/>) that starts at <paramref name="va"/> and ends before <paramref name="end"/>, cleared
    /// whole — the leaves one by one would leave the same table, counts and result. Returns the leaves cleared (0 when
    /// there is no such window: the leaves go one by one).
    /// </summary>
    private int ClearWindow(ulong va, ulong end)
    {
        var index = va >> Level1Shift;
        if (!_views.TryGetValue(index, out var view) || (int)((va >> 12) & 511) != view.First
            || end - va < (ulong)view.Count << 12) return 0;
        _views.Remove(index);
        ForgetView(index);
        var n = view.Count;
        Leaves -= n;
        _smallUnder2M[index] -= n;
        _smallerUnder1G[va >> Level2Shift] -= n;
        return n;
    }

    /// <summary>The physical address the device reaches at <paramref name="iova"/>, or null (a fault).</summary>
    public ulong? Translate(ulong iova) => LeafAt(iova) is { } l ? l.Paddr + (iova - l.Iova) : null;

    /// <summary>The leaf that maps <paramref name="iova"/> (its IOVA, physical address and size), or null.</summary>
    public (ulong Iova, ulong Paddr, ulong Size)? LeafAt(ulong iova)
    {
        if (_small.TryGetValue(iova >> 21, out var table) && table[(int)((iova >> 12) & 511)] is var e and > 0)
            return (iova & ~0xFFFUL, (e - 1) << 12, 1UL << 12);
        if (_views.TryGetValue(iova >> 21, out var view) && view[(int)((iova >> 12) & 511)] is var v and > 0)
            return (iova & ~0xFFFUL, (v - 1) << 12, 1UL << 12);
        if (_mid.TryGetValue(iova >> 21, out var m)) return (iova & ~((1UL << 21) - 1), m - 1, 1UL << 21);
        if (_huge.TryGetValue(iova >> 30, out var h)) return (iova & ~((1UL << 30) - 1), h - 1, 1UL << 30);
        return null;
    }

    /// <summary>Writes (entry = paddr + 1) or clears (entry = 0) the leaf of <paramref name="size"/> at <paramref name="iova"/>.</summary>
    private void SetLeaf(ulong iova, ulong size, ulong entry)
    {
        Leaves += entry == 0 ? -1 : 1;
        switch (size)
        {
            case 1UL << 12:
                var table = TableFor(iova >> 21);
                table[(int)((iova >> 12) & 511)] = entry == 0 ? 0 : ((entry - 1) >> 12) + 1;
                // An empty level-1 array is dropped (the table itself stays allocated: see _tables).
                if (entry == 0 && _smallUnder2M.GetValueOrDefault(iova >> 21) == 1) _small.Remove(iova >> 21);
                break;
            case 1UL << 21:
                if (entry == 0) _mid.Remove(iova >> 21);
                else _mid[iova >> 21] = entry;
                break;
            default:
                if (entry == 0) _huge.Remove(iova >> 30);
                else _huge[iova >> 30] = entry;
                break;
        }
    }

    /// <summary>A large leaf may not cover existing smaller ones (the caller must unmap them first).</summary>
    private bool OverlapsSmallerLeaves(ulong va, ulong pageSize) => pageSize switch
    {
        1UL << 21 => _smallUnder2M.GetValueOrDefault(va >> 21) > 0,
        1UL << 30 => _smallerUnder1G.GetValueOrDefault(va >> 30) > 0,
        _ => false,
    };

    private void Count(ulong va, ulong pageSize, int delta)
    {
        if (pageSize == 1UL << 12) _smallUnder2M[va >> 21] = _smallUnder2M.GetValueOrDefault(va >> 21) + delta;
        if (pageSize < 1UL << 30) _smallerUnder1G[va >> 30] = _smallerUnder1G.GetValueOrDefault(va >> 30) + delta;
    }

    /// <summary>Tables a leaf of <paramref name="pageSize"/> at <paramref name="va"/> needs below the root; returns those newly allocated.</summary>
    private int AllocateTablesFor(ulong va, ulong pageSize)
    {
        var added = 0;
        if (_tables.Add((3, va >> Level3Shift))) added++;                            // level-3 table (1 GiB entries)
        if (pageSize <= 1UL << 21 && _tables.Add((2, va >> Level2Shift))) added++;  // level-2 table (2 MiB entries)
        if (pageSize == 1UL << 12 && _tables.Add((1, va >> Level1Shift))) added++;  // level-1 table (4 KiB entries)
        return added;
    }
}

using Phyr.Domain.Memory;

namespace Phyr.Domain.Mm;

/// <summary>
/// A process's mm: its VMAs and its page tables, materialised lazily. A PTE table (one 4 KiB page of 512
/// entries, with its own split lock) covers 2 MiB; a huge PMD maps a 2 MiB folio, a huge PUD a 1 GiB one.
/// Faults allocate frames from a <see cref="FrameSource"/>. Device memory (VM_PFNMAP) is populated at
/// map time from the device's BAR, as remap_pfn_range does, and has no struct page.
/// Single-owner mutable state: the process component owns it; nothing here is shared between threads.
/// </summary>
public sealed class AddressSpace(FrameSource frames)
{
    public const int PtrsPerTable = 512;
    public const int PmdShift = 21, PudShift = 30;

    private readonly List<Vma> _vmas = [];
    private readonly Dictionary<ulong, PfnTable> _pteTables = [];  // va >> 21 -> pfn + 1 per entry (0: none), | its flags
    private readonly HashSet<ulong> _dirtyThps = [];               // PMD-mapped THPs (first pfn) marked PG_dirty
    private readonly Dictionary<ulong, ulong> _hugePmds = [];     // va >> 21 -> first pfn of the 2 MiB folio
    private readonly Dictionary<ulong, ulong> _hugePuds = [];     // va >> 30 -> first pfn of the 1 GiB folio
    private readonly Dictionary<ulong, (long Pages, ulong FolioPages)> _pins = []; // large folio's first pfn -> pages pinned, folio size
    private readonly PinCounts _smallPins = new();                                  // 4 KiB folios: pfn -> pins (a bit a page: millions of them)

    // In a PTE table's entry (PfnTable's flag bits): the 4 KiB folio's PG_dirty (the one PTE that maps it keeps it) and
    // the PTE's own dirty bit (a write fault sets it).
    private const ulong FolioDirty = 1UL << 63, PteDirty = 1UL << 62, EntryFlags = PfnTable.FlagBits;

    public IReadOnlyList<Vma> Vmas => _vmas;
    public int PteTables => _pteTables.Count;
    public long Faults { get; private set; }

    // Folio refcount lines CPUs share (a region several CPUs pin): the CPU that last wrote each one.
    private Dictionary<ulong, int>? _lineOwners;
    private int _cpusPerSocket = 1;

    /// <summary>
    /// Several CPUs pin this mm's folios (gup_test -j, several MRs over one buffer): from now on each pin and put atomic
    /// on a folio's refcount line another CPU wrote last moves the line here, a transfer within the socket or across.
    /// </summary>
    public void ShareFolioLines(int cpusPerSocket)
    {
        _lineOwners ??= [];
        _cpusPerSocket = Math.Max(1, cpusPerSocket);
    }

    /// <summary>Whether several CPUs' folio lines are tracked (<see cref="ShareFolioLines"/>): then every line is looked at on its own.</summary>
    public bool SharesFolioLines => _lineOwners is not null;

    /// <summary>
    /// <paramref name="cpu"/> writes the refcount line of the folio at <paramref name="folioPfn"/>: where the line was — this
    /// CPU's (or nobody shares lines), another core of its socket, another socket.
    /// </summary>
    public LineSource TakeFolioLine(ulong folioPfn, int cpu)
    {
        if (_lineOwners is null) return LineSource.Local;
        var had = _lineOwners.TryGetValue(folioPfn, out var owner);
        _lineOwners[folioPfn] = cpu;
        return !had || owner == cpu ? LineSource.Local
            : owner / _cpusPerSocket == cpu / _cpusPerSocket ? LineSource.SameSocket : LineSource.CrossSocket;
    }

    // Per CPU: the folio whose head lines its last GUP call read and the pfn whose struct page line it read last.
    private readonly Dictionary<int, (ulong Folio, ulong Line)> _grabCursors = [];

    /// <summary>
    /// Where <paramref name="cpu"/>'s last GUP call left its struct page lines: the next call, which starts where that one
    /// stopped, finds them in its cache.
    /// </summary>
    public (ulong Folio, ulong Line) GrabCursorOf(int cpu) => _grabCursors.GetValueOrDefault(cpu, (ulong.MaxValue, ulong.MaxValue));

    public void SetGrabCursor(int cpu, (ulong Folio, ulong Line) cursor) => _grabCursors[cpu] = cursor;

    /// <summary>Unpins of pages that were not pinned: a pin count would have gone negative.</summary>
    public long PinViolations => _largeViolations + _smallPins.Underflows;

    private long _largeViolations;

    /// <summary>Pages pinned now, over all folios.</summary>
    public long PinnedPages { get; private set; }

    /// <summary>Folios with pins left (at teardown: pins never released).</summary>
    public int PinnedFolios => _pins.Count + _smallPins.Count;

    /// <summary>Records <paramref name="pages"/> pages of the folio (of <paramref name="folioPages"/> pages) at <paramref name="folioPfn"/> as pinned.</summary>
    public void Pin(ulong folioPfn, ulong folioPages, long pages)
    {
        if (folioPages == 1) _smallPins.Defer(folioPfn, checked((int)pages));
        else _pins[folioPfn] = (_pins.GetValueOrDefault(folioPfn).Pages + pages, folioPages);
        PinnedPages += pages;
    }

    /// <summary>
    /// How many pages from <paramref name="va"/> (before <paramref name="limit"/>, inside one PTE table) are present 4 KiB
    /// folios whose frames follow on from <paramref name="pfn"/>: what a walk holding that table's lock takes in one go.
    /// </summary>
    public ulong SmallRunAt(ulong va, ulong limit, ulong pfn)
    {
        if (va >= limit || (limit - 1) >> PmdShift != va >> PmdShift || PteTable(va >> PmdShift) is not { } table) return 0;
        var first = (int)((va >> Page.Shift) & (PtrsPerTable - 1));
        var count = (int)((limit - va) >> Page.Shift);
        var n = 0;
        while (n < count && (table[first + n] & ~EntryFlags) == pfn + (ulong)n + 1) n++;
        return (ulong)n;
    }

    /// <summary>Records each of <paramref name="pages"/> 4 KiB folios from <paramref name="pfn"/> as pinned once (as <see cref="Pin"/> one by one).</summary>
    public void PinSmallRun(ulong pfn, long pages)
    {
        for (long i = 0; i < pages; i++) _smallPins.Defer(pfn + (ulong)i, 1);
        PinnedPages += pages;
    }

    /// <summary>Whether the page at <paramref name="pfn"/> belongs to a folio with pins (what a device may DMA to).</summary>
    public bool IsPinned(ulong pfn)
    {
        if (_smallPins.Get(pfn) > 0) return true;
        foreach (var shift in new[] { PmdShift - Page.Shift, PudShift - Page.Shift })
        {
            var head = pfn & ~((1UL << shift) - 1);
            if (_pins.TryGetValue(head, out var p) && head + p.FolioPages > pfn) return true;
        }
        return false;
    }

    /// <summary>
    /// unpin_user_pages over [start, end): every pinned page with a struct page loses its pin. Returns the pages unpinned,
    /// the puts (one per folio run, or one per page without batching), and the work: with a page array
    /// (<see cref="UnpinStyle.PageArray"/>, unpin_user_pages → gup_folio_next) page_folio() on every page, each reading that
    /// page's struct page line (streamed when it follows the last, a miss at a new run); over a range
    /// (unpin_user_page_range_dirty_lock → gup_folio_range_next) one line per folio run. A put is one atomic
    /// (folio_put_refs), two for a pinned large folio (_pincount, then the refcount).
    /// </summary>
    public UnpinCount UnpinRange(ulong start, ulong end, UnpinStyle style, int cpu = 0)
    {
        long pages = 0, puts = 0, scanned = 0, atomics = 0, dirtied = 0;
        var lines = default(LineCount);
        var lastFolio = ulong.MaxValue;
        var lastLine = ulong.MaxValue;
        for (var va = start; va < end;)
        {
            if (Lookup(va) is not { } m)
            {
                va += Page.Size;
                continue;
            }
            var n = Math.Min(m.PagesToFolioEnd, (end - va) >> Page.Shift);
            if (m.HasStructPage)
            {
                if (m.FolioPages == 1) UnpinSmall(m.FolioPfn, (int)n);
                else
                {
                    var left = _pins.GetValueOrDefault(m.FolioPfn).Pages - (long)n;
                    if (left < 0)
                    {
                        _largeViolations++;
                        left = 0;
                    }
                    if (left == 0) _pins.Remove(m.FolioPfn);
                    else _pins[m.FolioPfn] = (left, m.FolioPages);
                }
                PinnedPages -= (long)n;
                pages += (long)n;
                var batched = style.FolioBatched && (!m.Hugetlb || style.HugetlbBatched);
                var newPuts = batched ? (m.FolioPfn != lastFolio ? 1 : 0) : (long)n;
                puts += newPuts;
                atomics += newPuts * (m.FolioPages > 1 && !style.FollGet ? 2 : 1);
                if (style.Dirty && newPuts > 0 && DirtyAtUnpin(va, m))
                {
                    dirtied++;
                    atomics += 3;
                }
                // The lines read: every page's with a page array, the run's first otherwise. A folio line another CPU
                // wrote last is a transfer instead (a small folio's is its page's line; a large one's head and _pincount).
                var read = style.PageArray || !batched ? (long)n : m.FolioPfn != lastFolio ? 1 : 0;
                scanned += read;
                var source = newPuts > 0 ? TakeFolioLine(m.FolioPfn, cpu) : LineSource.Local;
                if (source != LineSource.Local)
                {
                    var from = LineCount.From(source);
                    lines += m.FolioPages > 1 && !style.FollGet ? from + from : from;
                    if (m.FolioPages == 1) read = Math.Max(0, read - 1);
                }
                if (read > 0)
                {
                    lines += m.Pfn == lastLine + 1 ? new LineCount(Streamed: read) : new LineCount(Missed: 1, Streamed: read - 1);
                    lastLine = m.Pfn + (ulong)read - 1;
                }
                lastFolio = m.FolioPfn;
                if (m.FolioPages == 1 && _lineOwners is null && lastLine == m.Pfn)
                {
                    // The rest of this PTE table's run of following 4 KiB folios in this VMA: each would be one put of one
                    // atomic on its own streamed line, whatever the style, so they are counted in one step.
                    var vma = FindVma(va)!;
                    var next = va + Page.Size;
                    var run = SmallRunAt(next, Math.Min(end, Math.Min(vma.End, ((va >> PmdShift) + 1) << PmdShift)), m.Pfn + 1);
                    for (ulong i = 1; i <= run; i++) UnpinSmall(m.Pfn + i, 1);
                    var k = (long)run;
                    var marked = style.Dirty ? MarkFolioDirty(next, run, FolioDirty) : 0;
                    dirtied += marked;
                    atomics += 3 * marked;
                    PinnedPages -= k;
                    pages += k;
                    puts += k;
                    atomics += k;
                    scanned += k;
                    lines += new LineCount(Streamed: k);
                    lastLine = lastFolio = m.Pfn + run;
                    n += run;
                }
            }
            va += n << Page.Shift;
        }
        return new UnpinCount(pages, puts, scanned, atomics, lines, dirtied);
    }

    /// <summary>Drops <paramref name="pages"/> pins of the 4 KiB folio at <paramref name="pfn"/> (deferred); more than it had is a violation, and its count stays 0.</summary>
    private void UnpinSmall(ulong pfn, int pages) => _smallPins.Defer(pfn, -pages);

    /// <summary>The physical ranges behind [start, end), in address order, contiguous neighbours merged; pages not present are skipped.</summary>
    public IReadOnlyList<PhysRange> PhysicalRanges(ulong start, ulong end)
    {
        var ranges = new List<PhysRange>();
        for (var va = start; va < end;)
        {
            if (Lookup(va) is not { } m)
            {
                va += Page.Size;
                continue;
            }
            var n = Math.Min(m.PagesToFolioEnd, (end - va) >> Page.Shift);
            var r = new PhysRange(m.Pfn << Page.Shift, n << Page.Shift);
            if (ranges.Count > 0 && ranges[^1].End == r.Addr) ranges[^1] = ranges[^1] with { Len = ranges[^1].Len + r.Len };
            else ranges.Add(r);
            va += n << Page.Shift;
        }
        return ranges;
    }

    /// <summary>mmap(): a VMA at [start, start + length), aligned to the backing's folio size.</summary>
    public Vma Map(ulong start, ulong length, Backing backing, ulong deviceBasePfn = 0)
    {
        var align = backing.FolioBytes();
        if (length == 0 || start % align != 0 || length % align != 0)
            throw new ArgumentException($"a {backing} VMA must start and end on a {align}-byte boundary (start 0x{start:x}, length 0x{length:x})");
        if (_vmas.Any(v => start < v.End && v.Start < start + length))
            throw new ArgumentException($"[0x{start:x}, 0x{start + length:x}) overlaps an existing VMA");
        var vma = new Vma(_vmas.Count, start, start + length, backing);
        _vmas.Add(vma);
        _vmas.Sort((a, b) => a.Start.CompareTo(b.Start));
        if (backing == Backing.DeviceMemory)
            for (ulong off = 0; off < length; off += Page.Size)
                SetPte(start + off, deviceBasePfn + (off >> Page.Shift));
        return vma;
    }

    /// <summary>find_vma: the VMA containing <paramref name="va"/> (VMAs are sorted and disjoint: a binary search).</summary>
    public Vma? FindVma(ulong va)
    {
        int lo = 0, hi = _vmas.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var v = _vmas[mid];
            if (va < v.Start) hi = mid - 1;
            else if (va >= v.End) lo = mid + 1;
            else return v;
        }
        return null;
    }

    /// <summary>The page-table walk for <paramref name="va"/>: the mapping, or null when nothing is present.</summary>
    public Mapping? Lookup(ulong va)
    {
        var vma = FindVma(va);
        if (vma is null) return null;
        var page = va >> Page.Shift;
        if (_hugePuds.Count > 0 && _hugePuds.TryGetValue(va >> PudShift, out var pudPfn))
            return new Mapping(pudPfn + (page & ((1UL << (PudShift - Page.Shift)) - 1)), pudPfn, 1UL << (PudShift - Page.Shift), 2, true, Hugetlb: true);
        if (_hugePmds.Count > 0 && _hugePmds.TryGetValue(va >> PmdShift, out var pmdPfn))
            return new Mapping(pmdPfn + (page & (PtrsPerTable - 1)), pmdPfn, PtrsPerTable, 1, true, Hugetlb: vma.Backing == Backing.Hugetlb2M);
        if (PteTable(va >> PmdShift) is { } table && (table[(int)(page & (PtrsPerTable - 1))] & ~EntryFlags) is var e and > 0)
            return new Mapping(e - 1, e - 1, 1, 0, vma.Backing.HasStructPage());
        return null;
    }

    // The PTE table walked last: walks, faults and unpins go through a region in address order, 512 pages a table.
    private ulong _lastTableIndex = ulong.MaxValue;
    private PfnTable? _lastTable;

    /// <summary>The PTE table covering the 2 MiB at <paramref name="index"/> (va &gt;&gt; 21), or null; tables are never freed.</summary>
    private PfnTable? PteTable(ulong index)
    {
        if (index == _lastTableIndex) return _lastTable;
        if (!_pteTables.TryGetValue(index, out var table)) return null;
        (_lastTableIndex, _lastTable) = (index, table);
        return table;
    }

    /// <summary>
    /// handle_mm_fault(): maps the folio covering <paramref name="va"/>; throws for an address outside every VMA (-EFAULT). A
    /// write fault's PTE is dirty (do_anonymous_page: pte_mkdirty), a read fault's clean; a new folio is clean either way.
    /// </summary>
    public Mapping Fault(ulong va, bool write = true)
    {
        var vma = FindVma(va) ?? throw new GupException(GupError.Efault, $"0x{va:x} is not inside any VMA");
        if (Lookup(va) is { } present) return present;
        Faults++;
        switch (vma.Backing)
        {
            case Backing.Anon4K:
                SetPte(va, frames.Next(FrameSize.Base), write ? PteDirty : 0);
                break;
            case Backing.Thp:
            case Backing.Hugetlb2M:
                _hugePmds[va >> PmdShift] = frames.Next(FrameSize.Pmd) << (PmdShift - Page.Shift);
                break;
            case Backing.Hugetlb1G:
                _hugePuds[va >> PudShift] = frames.Next(FrameSize.Pud) << (PudShift - Page.Shift);
                break;
            default:
                throw new GupException(GupError.Efault, $"0x{va:x}: device memory is populated at mmap time and never faults");
        }
        return Lookup(va)!.Value;
    }

    /// <summary>
    /// Faults in every page of [<paramref name="start"/>, <paramref name="end"/>) in address order, as <see cref="Fault"/>
    /// page by page does (the same frames, PTEs and count of faults): a PTE table not there yet is filled a run of frames at a
    /// time; anything else goes page by page.
    /// </summary>
    public void Populate(ulong start, ulong end, ulong folioBytes, bool write)
    {
        for (var va = start; va < end;)
        {
            var tableEnd = Math.Min(end, ((va >> PmdShift) + 1) << PmdShift);
            if (FindVma(va) is { Backing: Backing.Anon4K } vma && vma.End >= tableEnd && !_pteTables.ContainsKey(va >> PmdShift)
                && (va & (Page.Size - 1)) == 0 && folioBytes == Page.Size)
            {
                var table = _pteTables[va >> PmdShift] = new PfnTable();
                var flags = write ? PteDirty : 0;
                for (var i = (int)((va >> Page.Shift) & (PtrsPerTable - 1)); va < tableEnd;)
                {
                    var (pfn, n) = frames.NextRun(FrameSize.Base, (tableEnd - va) >> Page.Shift);
                    for (ulong k = 0; k < n; k++) table[i++] = (pfn + k + 1) | flags;
                    Faults += (long)n;
                    va += n << Page.Shift;
                }
                continue;
            }
            Fault(va, write);
            va += folioBytes;
        }
    }

    private void SetPte(ulong va, ulong pfn, ulong flags = PteDirty)
    {
        if (PteTable(va >> PmdShift) is not { } table)
            _pteTables[va >> PmdShift] = table = new PfnTable();
        table[(int)((va >> Page.Shift) & (PtrsPerTable - 1))] = (pfn + 1) | flags;
    }

    /// <summary>
    /// follow_page_pte under FOLL_TOUCH | FOLL_WRITE (mm/gup.c): of the <paramref name="pages"/> 4 KiB pages from
    /// <paramref name="va"/> (inside one PTE table), each whose PTE and folio are both clean is marked dirty —
    /// folio_mark_dirty, one atomic (noop_dirty_folio's test-and-set of PG_dirty). Returns the folios marked.
    /// </summary>
    public long DirtyAtPin(ulong va, ulong pages) => MarkFolioDirty(va, pages, EntryFlags);

    /// <summary>
    /// Marks PG_dirty on each present 4 KiB folio of the <paramref name="pages"/> from <paramref name="va"/> (inside one PTE
    /// table) whose entry has none of the <paramref name="clean"/> bits set; returns the folios marked.
    /// </summary>
    private long MarkFolioDirty(ulong va, ulong pages, ulong clean)
    {
        if (PteTable(va >> PmdShift) is not { } table) return 0;
        var first = (int)((va >> Page.Shift) & (PtrsPerTable - 1));
        long marked = 0;
        for (var i = first; i < first + (int)pages; i++)
            if (table[i] != 0 && (table[i] & clean) == 0)
            {
                table[i] |= FolioDirty;
                marked++;
            }
        return marked;
    }

    /// <summary>
    /// The make_dirty of unpin_user_pages_dirty_lock / unpin_user_page_range_dirty_lock for the folio <paramref name="m"/>
    /// maps at <paramref name="va"/>: when it is not PG_dirty yet, folio_lock, folio_mark_dirty and folio_unlock — three
    /// atomics on its flags line — mark it. Returns whether it did. A hugetlbfs folio is dirty from the page cache's add
    /// (hugetlb_add_to_page_cache marks it, mm/hugetlb.c); an anonymous folio is clean until something marks it (its
    /// write fault dirties the PTE, not the folio).
    /// </summary>
    private bool DirtyAtUnpin(ulong va, in Mapping m)
    {
        if (m.Hugetlb) return false;
        return m.FolioPages > 1 ? _dirtyThps.Add(m.FolioPfn) : MarkFolioDirty(va, 1, FolioDirty) == 1;
    }
}

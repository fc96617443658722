using Phyr.Domain.Memory;

namespace Phyr.Domain.Mm;

/// <summary>
/// The GUP calls of the thread, over an <see cref="AddressSpace"/> (mm/gup.c semantics):
/// <list type="bullet">
/// <item><b>pin_user_pages(_fast)</b> into a page array of <c>capacity</c> pages. The fast path walks
/// once from the top with no locks and stops at the first page that is not present (or has no struct
/// page). The locked path (__get_user_pages) takes mmap_lock for reading once per call and then, per
/// lookup, walks from the top (follow_page_mask) and takes the PTE table's split lock
/// (pte_offset_map_lock) — once per 4 KiB page — or the huge entry's lock for a PMD/PUD-mapped folio,
/// which yields the rest of the folio in one step. Missing pages are faulted in.</item>
/// <item><b>get_user_phyrs</b> into an array of <c>capacity</c> phyrs: the same fast path; the locked
/// path walks once from the top per call, as walk_page_range does, holding a PTE table's lock across its
/// run of entries (one acquisition per table visited), the huge entry's lock per huge entry. A fault
/// drops the table lock and re-takes it. Device memory (no struct page) is described, not pinned.</item>
/// </list>
/// A call stops at the end of the range, or when its output is full and the next page cannot extend the
/// last entry. Seeing that needs the next page's entry: free on the lockless path and inside the PTE table
/// already locked; past it the locked walk stops rather than take another lock just to look (a run
/// continuing across two calls is then split there, which the caller may merge). Every call starts
/// again from the top of the page tables.
/// </summary>
public static class Gup
{
    /// <summary>pin_user_pages(_fast) on <paramref name="cpu"/> (whose atomics may find folio lines other CPUs wrote).</summary>
    public static GupCall PinUserPages(AddressSpace mm, ulong start, ulong end, int capacity, GupOptions options, int cpu = 0) =>
        Call(mm, start, end, new PageArrayOutput(capacity), options, cpu);

    public static GupCall GetUserPhyrs(AddressSpace mm, ulong start, ulong end, int capacity, GupOptions options, int cpu = 0) =>
        Call(mm, start, end, new PhyrOutput(capacity), options, cpu);

    /// <summary>The output array of a call.</summary>
    private abstract class Output(int capacity, bool phyr)
    {
        protected readonly int Capacity = capacity > 0
            ? capacity
            : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a GUP call needs room for at least one entry");

        // The kind in use starts with room for a usual call's entries (no growing copies); the other stays empty.
        private const int Presized = 512;
        public readonly List<ulong> Pages = new(phyr ? 0 : Math.Min(capacity, Presized));
        public readonly List<PhysRange> Phyrs = new(phyr ? Math.Min(capacity, Presized) : 0);
        public abstract bool Phyr { get; }
        public abstract long Entries { get; }

        /// <summary>No room for another entry (the last one may still grow).</summary>
        public bool IsFull => Entries >= Capacity;

        /// <summary>Entries the output still has room for.</summary>
        public long Room => Capacity - Entries;

        /// <summary>Takes up to <paramref name="pages"/> physically contiguous pages from <paramref name="pfn"/>; returns how many.</summary>
        public abstract ulong Take(ulong pfn, ulong pages);
    }

    private sealed class PageArrayOutput(int capacity) : Output(capacity, phyr: false)
    {
        public override bool Phyr => false;
        public override long Entries => Pages.Count;

        public override ulong Take(ulong pfn, ulong pages)
        {
            var n = Math.Min(pages, (ulong)(Capacity - Pages.Count));
            for (ulong i = 0; i < n; i++) Pages.Add(pfn + i);
            return n;
        }
    }

    private sealed class PhyrOutput(int capacity) : Output(capacity, phyr: true)
    {
        public override bool Phyr => true;
        public override long Entries => Phyrs.Count;

        public override ulong Take(ulong pfn, ulong pages)
        {
            var addr = pfn << Page.Shift;
            if (Phyrs.Count > 0 && Phyrs[^1].End == addr)
                Phyrs[^1] = Phyrs[^1] with { Len = Phyrs[^1].Len + (pages << Page.Shift) };
            else if (Phyrs.Count < Capacity)
                Phyrs.Add(new PhysRange(addr, pages << Page.Shift));
            else
                return 0;
            return pages;
        }
    }

    /// <summary>Counters of one call while it runs.</summary>
    private sealed class Tally(AddressSpace mm, GupOptions options, bool pageArray, int cpu)
    {
        public long Walks = 1, Lookups, FolioRuns, FastPages, FastEntries, FastAtomics, FastOutputs, LockedPages, Pte, Huge, Mmap, Vma, Faults, Pinned, Atomics;
        public LineCount FastLines;
        public readonly List<LockHold> Holds = [];
        // The folio this call grabbed last: every call grabs its first folio again (the kernel's try_grab_folio per call).
        private ulong _lastFolio = ulong.MaxValue;

        // The folio whose head lines this CPU read last and the pfn whose struct page line it read last: carried from the
        // CPU's last call, as those lines are still in its cache when the next call starts where the last one stopped.
        private ulong _lineFolio = mm.GrabCursorOf(cpu).Folio;
        private ulong _lastLine = mm.GrabCursorOf(cpu).Line;

        public void Save() => mm.SetGrabCursor(cpu, (_lineFolio, _lastLine));

        // The FOLL_LONGTERM scan over the output (collect_longterm_unpinnable_folios), counted as entries are taken.
        private long _scanEntries;
        private LineCount _scanLines;
        private ulong _lastScannedFolio = ulong.MaxValue;

        public ScanCount Scan => new(_scanEntries, _scanLines);

        /// <summary>
        /// Pins <paramref name="pages"/> pages of <paramref name="m"/>'s folio from <paramref name="m"/>.Pfn: returns the atomics
        /// it took and the struct page lines it read. A grab reads the line of the page it starts at (page_folio), then:
        /// on the fast path (mm/gup.c try_grab_folio_fast) folio_ref_try_add, the pin — folio_ref_add of the bias for a small
        /// folio, atomic_add of _pincount on a large folio's second page — and folio_set_referenced (gup_fast_pte_range, the
        /// leaves): three atomics, two for FOLL_GET; on the slow path (try_grab_folio) folio_ref_add with the bias for a small
        /// folio, plus _pincount for a large one. Without batching every page is a grab of its own.
        /// </summary>
        public (long Atomics, LineCount Lines) Pin(in Mapping m, ulong pages, bool fast)
        {
            if (!m.HasStructPage || pages == 0) return (0, default);
            Pinned += (long)pages;
            mm.Pin(m.FolioPfn, m.FolioPages, (long)pages);
            // gup_fast has grabbed a huge leaf's folio once (record_subpages) in every version modelled; the slow path's
            // hugetlb grab went per huge page with 0fa5bc4023c1, its THP lookups per PMD with 57edfcfd3419 (ThpSlowBatch).
            var batched = fast ? options.FolioBatchedPin : m.Hugetlb ? options.HugetlbHeadRefcount : options.FolioBatchedPin && options.ThpSlowBatch;
            var get = options.PutPerPage; // FOLL_GET callers take a reference, not a pin
            var large = m.FolioPages > 1;
            long perGrab = fast ? (get ? 2 : 3) : get || !large ? 1 : 2;
            var newFolio = m.FolioPfn != _lastFolio;
            if (newFolio) FolioRuns++;
            var grabs = batched ? (newFolio ? 1L : 0L) : (long)pages;
            var lines = default(LineCount);
            if (grabs > 0)
            {
                // The folio's refcount line (and a large folio's _pincount line): another CPU's when it wrote them last,
                // a transfer whatever the prefetcher did; else the page's own line by where the last line read was, and a
                // large folio's head lines once per folio.
                var source = mm.TakeFolioLine(m.FolioPfn, cpu);
                if (source != LineSource.Local)
                {
                    var from = LineCount.From(source);
                    lines += large && !get ? from + from : from;
                    if (large && m.Pfn != m.FolioPfn) lines += Line(m.Pfn);
                }
                else
                {
                    lines += Line(m.Pfn);
                    if (large && m.FolioPfn != _lineFolio)
                        lines += m.Pfn == m.FolioPfn ? new LineCount(Streamed: get ? 0 : 1) : new LineCount(Missed: 1, Streamed: get ? 0 : 1);
                }
                // A run of per-page grabs streams the rest of the pages' lines.
                if (grabs > 1) lines += new LineCount(Streamed: grabs - 1);
                _lastLine = m.Pfn + (ulong)grabs - 1;
                _lineFolio = m.FolioPfn;
            }
            var atomics = grabs * perGrab;
            Atomics += atomics;
            _lastFolio = m.FolioPfn;
            // gup_fast checks folio_is_longterm_pinnable inline on the folio it holds; only the slow path's pages are scanned.
            if (pageArray && !fast) ScanTaken(m, pages, grabs);
            return (atomics, lines);
        }

        /// <summary>
        /// <see cref="Pin"/> of <paramref name="pages"/> 4 KiB folios on the slow path, one after another, whose frames follow
        /// the line this CPU read last (so each is a grab of one atomic on a streamed line): the same counts in one step.
        /// Only for a phyr walk (no page array to scan) on an mm whose folio lines no other CPU writes.
        /// </summary>
        public (long Atomics, LineCount Lines) PinSmallRun(ulong pfn, long pages)
        {
            if (pageArray || mm.SharesFolioLines || pfn != _lastLine + 1)
                throw new InvalidOperationException("PinSmallRun: a run must follow the last line read, with no page array and no shared lines");
            Pinned += pages;
            mm.PinSmallRun(pfn, pages);
            FolioRuns += pages;
            Atomics += pages;
            _lastLine = _lineFolio = _lastFolio = pfn + (ulong)pages - 1;
            return (pages, new LineCount(Streamed: pages));
        }

        /// <summary>
        /// <see cref="Pin"/> of the next <paramref name="pages"/> subpages of the large folio the last grab took, a grab of one
        /// page each (the slow path's lookup per 4 KiB subpage of a THP before 57edfcfd3419), from <paramref name="next"/>:
        /// each grab's page line follows the last one read (streamed), so every grab is alike — the same counts in one step.
        /// Returns one grab's atomics and lines. Only on an mm whose folio lines no other CPU writes, right after the grab of
        /// the subpage before <paramref name="next"/>.
        /// </summary>
        public (long Atomics, LineCount Lines) PinSubpages(in Mapping next, ulong pages)
        {
            if (mm.SharesFolioLines || next.FolioPages == 1 || next.FolioPfn != _lastFolio || next.FolioPfn != _lineFolio
                || next.Pfn != _lastLine + 1 || (pageArray && next.FolioPfn != _lastScannedFolio) || pages > next.PagesToFolioEnd)
                throw new InvalidOperationException("PinSubpages: the subpages must follow the last grab, in its folio, with no shared lines");
            Pinned += (long)pages;
            mm.Pin(next.FolioPfn, next.FolioPages, (long)pages);
            var perGrab = options.PutPerPage ? 1L : 2L; // folio_ref_add (with the bias), and _pincount for a pin
            Atomics += (long)pages * perGrab;
            _lastLine = next.Pfn + pages - 1;
            if (pageArray)
            {
                // The longterm scan: an entry a page; per page, a page_folio() on the line its grab read.
                _scanEntries += (long)pages;
                if (options.LongtermCheckPerPage) _scanLines += new LineCount(Hot: (long)pages);
            }
            return (perGrab, new LineCount(Streamed: 1));
        }

        /// <summary>
        /// follow_page_pte's FOLL_TOUCH for a writing pin (FOLL_WRITE): folio_mark_dirty of each 4 KiB folio from
        /// <paramref name="va"/> whose PTE and folio are both clean (<see cref="AddressSpace.DirtyAtPin"/>), an atomic each,
        /// under the PTE lock. Returns the atomics.
        /// </summary>
        public long DirtyAtPin(ulong va, ulong pages)
        {
            if (!options.Write) return 0;
            var marked = mm.DirtyAtPin(va, pages);
            Atomics += marked;
            return marked;
        }

        /// <summary>The scan of the output for what was just taken: per page (5.13 to 6.15) or per folio (6.16 on; before 5.13 per compound page).</summary>
        private void ScanTaken(in Mapping m, ulong pages, long grabs)
        {
            _scanEntries += (long)pages;
            if (options.LongtermCheckPerPage)
            {
                // page_folio() on every page: a page a grab read is hot, a tail nobody read streams in.
                var hot = Math.Min((long)pages, Math.Max(grabs, 1));
                _scanLines += new LineCount(Hot: hot, Streamed: (long)pages - hot);
            }
            else if (m.FolioPfn != _lastScannedFolio)
                _scanLines += new LineCount(Hot: 1); // one page_folio() and folio_is_longterm_pinnable() per folio, on lines the grab read
            _lastScannedFolio = m.FolioPfn;
        }

        /// <summary>A phyr entry the scan sees (get_user_phyrs' output: one check per entry).</summary>
        public void ScanEntry()
        {
            _scanEntries++;
            _scanLines += new LineCount(Hot: 1);
        }

        private LineCount Line(ulong pfn) =>
            pfn == _lastLine ? new LineCount(Hot: 1) : pfn == _lastLine + 1 ? new LineCount(Streamed: 1) : new LineCount(Missed: 1);

        /// <summary>
        /// A lock hold, <paramref name="repeat"/> times in a row; a page-table lock's hold exactly like the last one repeats it
        /// (<see cref="LockHold.Repeat"/>).
        /// </summary>
        public void Hold(GupLock l, ulong key, long entries = 0, long pages = 0, long atomics = 0, long outputs = 0, LineCount lines = default, long repeat = 1)
        {
            var h = new LockHold(l, key, entries, pages, atomics, outputs, lines, repeat);
            if (l is GupLock.Pte or GupLock.Huge && Holds.Count > 0 && Holds[^1].SameAs(h)) Holds[^1] = Holds[^1] with { Repeat = Holds[^1].Repeat + repeat };
            else if (l is GupLock.Pte or GupLock.Huge || repeat == 1) Holds.Add(h);
            else throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "only a page-table lock's hold repeats");
        }

        /// <summary>More entries processed under the last hold (the PTE table lock the phyr walk keeps): its last repetition.</summary>
        public void Extend(long entries, long pages, long atomics, long outputs, LineCount lines)
        {
            var last = Holds[^1];
            if (last.Repeat > 1)
            {
                Holds[^1] = last with { Repeat = last.Repeat - 1 };
                last = last with { Repeat = 1 };
                Holds.Add(last);
            }
            Holds[^1] = last with
            {
                Entries = last.Entries + entries,
                Pages = last.Pages + pages,
                Atomics = last.Atomics + atomics,
                Outputs = last.Outputs + outputs,
                Lines = last.Lines + lines,
            };
        }
    }

    private static GupCall Call(AddressSpace mm, ulong start, ulong end, Output output, GupOptions options, int cpu)
    {
        if (!Page.IsAligned(start) || !Page.IsAligned(end) || end <= start)
            throw new ArgumentException($"a GUP range must be whole pages: [0x{start:x}, 0x{end:x})");
        var t = new Tally(mm, options, !output.Phyr, cpu);
        var va = start;
        var full = false;

        if (options.Walk == GupWalk.Fast)
            (va, full) = FastPath(mm, va, end, output, options, t);

        if (va < end && !full)
        {
            if (options.Walk == GupWalk.Fast) t.Walks++; // the locked path walks again from the top
            va = output.Phyr
                ? LockedPhyrWalk(mm, va, end, output, options, t)
                : LockedPageWalk(mm, va, end, output, options, t);
        }

        t.Save();
        var accounting = new GupAccounting
        {
            Walks = t.Walks, Lookups = t.Lookups, FolioRuns = t.FolioRuns, FastPathLines = t.FastLines, LongtermScan = t.Scan, FastPathPages = t.FastPages, FastPathAtomics = t.FastAtomics, FastPathOutputs = t.FastOutputs, FastPathEntries = t.FastEntries, LockedPathPages = t.LockedPages, PteLockAcquisitions = t.Pte,
            HugeLockAcquisitions = t.Huge, MmapLockAcquisitions = t.Mmap, VmaLockAcquisitions = t.Vma, Faults = t.Faults,
            PagesPinned = t.Pinned, PinAtomics = t.Atomics, Entries = output.Entries, Holds = t.Holds,
        };
        return new GupCall(start, va, output.Pages, output.Phyrs, accounting);
    }

    /// <summary>gup_fast: lockless, up to the first page that is not present or has no struct page.</summary>
    private static (ulong Va, bool Full) FastPath(AddressSpace mm, ulong va, ulong end, Output output, GupOptions options, Tally t)
    {
        while (va < end)
        {
            if (mm.Lookup(va) is not { HasStructPage: true } m) return (va, false);
            var want = Math.Min(m.PagesToFolioEnd, (end - va) >> Page.Shift);
            var before = output.Entries;
            var took = output.Take(m.Pfn, want);
            t.FastEntries++;
            t.FastOutputs += output.Entries - before;
            var (atomics, lines) = t.Pin(m, took, fast: true);
            t.FastAtomics += atomics;
            t.FastLines += lines;
            t.FastPages += (long)took;
            va += took << Page.Shift;
            if (took < want) return (va, true);
        }
        return (va, false);
    }

    /// <summary>Takes mmap_lock once per call, or with per-VMA locks the lock of each VMA entered; true when a new VMA lock was taken.</summary>
    private static bool LockMm(AddressSpace mm, ulong va, GupOptions options, Tally t, ref int lastVma)
    {
        if (!options.PerVmaLock)
        {
            if (t.Mmap == 0)
            {
                t.Mmap++;
                t.Hold(GupLock.Mmap, 0);
            }
            return false;
        }
        var vma = mm.FindVma(va);
        if (vma is null || vma.Id == lastVma) return false;
        lastVma = vma.Id;
        t.Vma++;
        t.Hold(GupLock.Vma, (ulong)vma.Id);
        return true;
    }

    private static Vma VmaAt(AddressSpace mm, ulong va) =>
        mm.FindVma(va) ?? throw new GupException(GupError.Efault, $"0x{va:x} is not inside any VMA");

    /// <summary>Huge holds are keyed by the 2 MiB index of their address (the PMD table is key >> 9).</summary>
    private static ulong HugeKey(ulong va) => va >> AddressSpace.PmdShift;

    /// <summary>__get_user_pages: a walk, a lock and a lookup per page (per folio for huge entries).</summary>
    private static ulong LockedPageWalk(AddressSpace mm, ulong va, ulong end, Output output, GupOptions options, Tally t)
    {
        var lastVma = -1;
        var lookups = 0;
        while (va < end && !output.IsFull)
        {
            LockMm(mm, va, options, t, ref lastVma);
            if (!VmaAt(mm, va).Backing.HasStructPage())
                throw new GupException(GupError.Efault,
                    $"0x{va:x} is device memory (VM_PFNMAP): it has no struct page, so pin_user_pages cannot pin it");
            if (lookups++ > 0) t.Walks++; // follow_page_mask starts from the top for every lookup
            var m = mm.Lookup(va);
            if (m is null)
            {
                m = mm.Fault(va);
                t.Faults++;
                t.Walks++; // and looks again after the fault
            }
            var mapping = m.Value;
            t.Lookups++;
            // A THP's lookup yields the rest of its PMD only since 57edfcfd3419 (v6.6); hugetlb's always did (follow_hugetlb_page).
            var perLookup = mapping.Level > 0 && !mapping.Hugetlb && !options.ThpSlowBatch ? 1UL : mapping.PagesToFolioEnd;
            var want = Math.Min(perLookup, (end - va) >> Page.Shift);
            var before = output.Entries;
            var took = output.Take(mapping.Pfn, want);
            var outputs = output.Entries - before;
            var (atomics, lines) = t.Pin(mapping, took, fast: false);
            if (mapping.Level == 0) atomics += t.DirtyAtPin(va, took);
            if (mapping.Level == 0)
            {
                t.Pte++;
                t.Hold(GupLock.Pte, va >> AddressSpace.PmdShift, 1, (long)took, atomics, outputs, lines);
            }
            else
            {
                t.Huge++;
                t.Hold(GupLock.Huge, HugeKey(va), 1, (long)took, atomics, outputs, lines);
            }
            t.LockedPages += (long)took;
            va += took << Page.Shift;
            if (took < want) break;
            if (perLookup == 1 && mapping.Level > 0 && !mm.SharesFolioLines)
                va = ThpSubpages(mapping, va, end, output, t);
        }
        return va;
    }

    /// <summary>
    /// The rest of a THP's subpages after <paramref name="last"/>'s, before 57edfcfd3419: each a walk from the top, a lookup,
    /// the PMD lock and a grab exactly like the one before (follow_trans_huge_pmd per 4 KiB), so they are taken in one step
    /// with the same counts as subpage by subpage. Returns where the walk goes on.
    /// </summary>
    private static ulong ThpSubpages(in Mapping last, ulong va, ulong end, Output output, Tally t)
    {
        var n = Math.Min(Math.Min(last.PagesToFolioEnd - 1, (end - va) >> Page.Shift), (ulong)output.Room);
        if (n == 0) return va;
        var next = last with { Pfn = last.Pfn + 1 };
        if (output.Take(next.Pfn, n) != n) throw new InvalidOperationException("the output took fewer subpages than it had room for");
        var (atomics, lines) = t.PinSubpages(next, n);
        t.Walks += (long)n; // every lookup after a call's first walks from the top
        t.Lookups += (long)n;
        t.Huge += (long)n;
        t.Hold(GupLock.Huge, HugeKey(va), 1, 1, atomics, 1, lines, (long)n);
        t.LockedPages += (long)n;
        return va + (n << Page.Shift);
    }

    /// <summary>get_user_phyrs' locked walk: one walk per call, one lock per PTE table visited.</summary>
    private static ulong LockedPhyrWalk(AddressSpace mm, ulong va, ulong end, Output output, GupOptions options, Tally t)
    {
        var lastVma = -1;
        var lockedTable = ulong.MaxValue; // the PTE table whose lock is held, if any
        while (va < end)
        {
            if (output.IsFull && va >> AddressSpace.PmdShift != lockedTable) break; // looking further needs another lock
            if (LockMm(mm, va, options, t, ref lastVma)) lockedTable = ulong.MaxValue; // a new VMA is walked on its own
            var vma = VmaAt(mm, va);
            var m = mm.Lookup(va);
            if (m is null)
            {
                lockedTable = ulong.MaxValue; // the table lock is dropped to fault
                m = mm.Fault(va);
                t.Faults++;
            }
            var mapping = m.Value;
            var want = Math.Min(mapping.PagesToFolioEnd, (end - va) >> Page.Shift);
            var before = output.Entries;
            var took = output.Take(mapping.Pfn, want);
            if (took == 0) break;
            var outputs = output.Entries - before;
            if (outputs > 0) t.ScanEntry();
            var (atomics, lines) = t.Pin(mapping, took, fast: false);
            if (mapping.Level == 0) atomics += t.DirtyAtPin(va, took);
            if (mapping.Level == 0)
            {
                var table = va >> AddressSpace.PmdShift;
                if (table == lockedTable) t.Extend((long)took, (long)took, atomics, outputs, lines);
                else
                {
                    t.Pte++;
                    t.Lookups++; // walk_page_range enters each PTE table once
                    lockedTable = table;
                    t.Hold(GupLock.Pte, table, (long)took, (long)took, atomics, outputs, lines);
                }
            }
            else
            {
                t.Huge++;
                t.Lookups++;
                lockedTable = ulong.MaxValue;
                t.Hold(GupLock.Huge, HugeKey(va), 1, (long)took, atomics, outputs, lines);
            }
            t.LockedPages += (long)took;
            va += took << Page.Shift;
            if (took < want) break;
            if (mapping.Level == 0 && mapping.HasStructPage && !mm.SharesFolioLines)
                va = TableRun(mm, va, Math.Min(end, vma.End), mapping.Pfn + took, lockedTable, output, options, t);
        }
        return va;
    }

    /// <summary>
    /// The rest of the PTE table whose lock the phyr walk holds, where its pages are present 4 KiB folios whose frames follow
    /// on: each would extend the last phyr and be one grab of a streamed line under the same lock, so they are taken in one
    /// step with the same counts as page by page. Returns where the walk goes on.
    /// </summary>
    private static ulong TableRun(AddressSpace mm, ulong va, ulong end, ulong pfn, ulong lockedTable, Output output, GupOptions options, Tally t)
    {
        if (va >> AddressSpace.PmdShift != lockedTable) return va; // the next table needs its own lock
        var tableEnd = ((va >> AddressSpace.PmdShift) + 1) << AddressSpace.PmdShift;
        var pages = mm.SmallRunAt(va, Math.Min(end, tableEnd), pfn);
        if (pages == 0) return va;
        if (output.Take(pfn, pages) != pages) throw new InvalidOperationException("a following frame did not extend the last phyr");
        var (atomics, lines) = t.PinSmallRun(pfn, (long)pages);
        atomics += t.DirtyAtPin(va, pages);
        t.Extend((long)pages, (long)pages, atomics, 0, lines);
        t.LockedPages += (long)pages;
        return va + (pages << Page.Shift);
    }
}

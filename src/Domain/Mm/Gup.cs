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
    public static GupCall PinUserPages(AddressSpace mm, ulong start, ulong end, int capacity, GupOptions options) =>
        Call(mm, start, end, new PageArrayOutput(capacity), options);

    public static GupCall GetUserPhyrs(AddressSpace mm, ulong start, ulong end, int capacity, GupOptions options) =>
        Call(mm, start, end, new PhyrOutput(capacity), options);

    /// <summary>The output array of a call.</summary>
    private abstract class Output(int capacity)
    {
        protected readonly int Capacity = capacity > 0
            ? capacity
            : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a GUP call needs room for at least one entry");

        public readonly List<ulong> Pages = [];
        public readonly List<PhysRange> Phyrs = [];
        public abstract bool Phyr { get; }
        public abstract long Entries { get; }

        /// <summary>No room for another entry (the last one may still grow).</summary>
        public bool IsFull => Entries >= Capacity;

        /// <summary>Takes up to <paramref name="pages"/> physically contiguous pages from <paramref name="pfn"/>; returns how many.</summary>
        public abstract ulong Take(ulong pfn, ulong pages);
    }

    private sealed class PageArrayOutput(int capacity) : Output(capacity)
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

    private sealed class PhyrOutput(int capacity) : Output(capacity)
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
    private sealed class Tally(AddressSpace mm)
    {
        public long Walks = 1, FastPages, FastEntries, FastAtomics, FastOutputs, LockedPages, Pte, Huge, Mmap, Vma, Faults, Pinned, Atomics;
        public readonly List<LockHold> Holds = [];
        private ulong _lastFolio = ulong.MaxValue;

        /// <summary>Pins <paramref name="pages"/> pages of <paramref name="m"/>'s folio; returns the atomics it took.</summary>
        public long Pin(in Mapping m, ulong pages, GupOptions options) => Pin(m, pages, m.Hugetlb ? options.HugetlbHeadRefcount : options.FolioBatchedPin);

        private long Pin(in Mapping m, ulong pages, bool folioBatched)
        {
            if (!m.HasStructPage || pages == 0) return 0;
            Pinned += (long)pages;
            mm.Pin(m.FolioPfn, m.FolioPages, (long)pages);
            long atomics = !folioBatched ? (long)pages : m.FolioPfn != _lastFolio ? 1 : 0;
            Atomics += atomics;
            _lastFolio = m.FolioPfn;
            return atomics;
        }

        public void Hold(GupLock l, ulong key, long entries = 0, long pages = 0, long atomics = 0, long outputs = 0) =>
            Holds.Add(new LockHold(l, key, entries, pages, atomics, outputs));

        /// <summary>More entries processed under the last hold (the PTE table lock the phyr walk keeps).</summary>
        public void Extend(long entries, long pages, long atomics, long outputs) => Holds[^1] = Holds[^1] with
        {
            Entries = Holds[^1].Entries + entries,
            Pages = Holds[^1].Pages + pages,
            Atomics = Holds[^1].Atomics + atomics,
            Outputs = Holds[^1].Outputs + outputs,
        };
    }

    private static GupCall Call(AddressSpace mm, ulong start, ulong end, Output output, GupOptions options)
    {
        if (!Page.IsAligned(start) || !Page.IsAligned(end) || end <= start)
            throw new ArgumentException($"a GUP range must be whole pages: [0x{start:x}, 0x{end:x})");
        var t = new Tally(mm);
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

        var accounting = new GupAccounting
        {
            Walks = t.Walks, FastPathPages = t.FastPages, FastPathAtomics = t.FastAtomics, FastPathOutputs = t.FastOutputs, FastPathEntries = t.FastEntries, LockedPathPages = t.LockedPages, PteLockAcquisitions = t.Pte,
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
            t.FastAtomics += t.Pin(m, took, options);
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
            var want = Math.Min(mapping.PagesToFolioEnd, (end - va) >> Page.Shift);
            var before = output.Entries;
            var took = output.Take(mapping.Pfn, want);
            var outputs = output.Entries - before;
            var atomics = t.Pin(mapping, took, options);
            if (mapping.Level == 0)
            {
                t.Pte++;
                t.Hold(GupLock.Pte, va >> AddressSpace.PmdShift, 1, (long)took, atomics, outputs);
            }
            else
            {
                t.Huge++;
                t.Hold(GupLock.Huge, HugeKey(va), 1, (long)took, atomics, outputs);
            }
            t.LockedPages += (long)took;
            va += took << Page.Shift;
            if (took < want) break;
        }
        return va;
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
            VmaAt(mm, va);
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
            var atomics = t.Pin(mapping, took, options);
            if (mapping.Level == 0)
            {
                var table = va >> AddressSpace.PmdShift;
                if (table == lockedTable) t.Extend((long)took, (long)took, atomics, outputs);
                else
                {
                    t.Pte++;
                    lockedTable = table;
                    t.Hold(GupLock.Pte, table, (long)took, (long)took, atomics, outputs);
                }
            }
            else
            {
                t.Huge++;
                lockedTable = ulong.MaxValue;
                t.Hold(GupLock.Huge, HugeKey(va), 1, (long)took, atomics, outputs);
            }
            t.LockedPages += (long)took;
            va += took << Page.Shift;
            if (took < want) break;
        }
        return va;
    }
}

using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

/// <summary>GUP walks, counted as the kernel's semantics imply (mm/gup.c; get_user_phyrs as the thread proposes).</summary>
public class GupTests
{
    private const ulong Base = 1UL << 30;          // 1 GiB-aligned start of every region
    private const ulong TwoMiB = 1UL << 21;

    /// <summary>4 KiB frames with no two contiguous: 1000, 1002, 1004, ...</summary>
    private static FrameSource Scattered(int frames) =>
        new FrameSource().With(FrameSize.Base, Enumerable.Range(0, frames).Select(i => new FrameRun(1000 + 2UL * (ulong)i, 1)));

    private static AddressSpace Anon(ulong bytes, bool prefault = true)
    {
        var mm = new AddressSpace(Scattered((int)(bytes >> 12)));
        mm.Map(Base, bytes, Backing.Anon4K);
        if (prefault)
            for (ulong va = Base; va < Base + bytes; va += Page.Size) mm.Fault(va);
        return mm;
    }

    /// <summary>Calls until the range is covered, as ib_umem_get loops; returns every call.</summary>
    private static List<GupCall> All(Func<ulong, GupCall> call, ulong start, ulong end)
    {
        var calls = new List<GupCall>();
        for (var va = start; va < end;)
        {
            var c = call(va);
            Assert.True(c.Next > va, "a GUP call must make progress");
            calls.Add(c);
            va = c.Next;
        }
        return calls;
    }

    private static long Sum(IEnumerable<GupCall> calls, Func<GupAccounting, long> f) => calls.Sum(c => f(c.Accounting));

    private static readonly GupOptions Locked = new() { Walk = GupWalk.Locked };
    private static readonly GupOptions Fast = new() { Walk = GupWalk.Fast };

    [Theory]
    [InlineData(16, 32)]
    [InlineData(32, 16)]
    [InlineData(512, 1)]
    public void Locked_get_user_phyrs_takes_a_pte_lock_per_table_per_call(int batch, int locksPer2MiB)
    {
        const ulong size = 4 * TwoMiB;
        var mm = Anon(size);
        var calls = All(va => Gup.GetUserPhyrs(mm, va, Base + size, batch, Locked), Base, Base + size);
        Assert.Equal(4 * locksPer2MiB, Sum(calls, a => a.PteLockAcquisitions));
        Assert.Equal(calls.Count, Sum(calls, a => a.Walks));                  // one walk from the top per call
        Assert.Equal(4 * 512 / batch, calls.Count);
        Assert.All(calls, c => Assert.Equal(batch, c.Phyrs.Count));          // no two frames contiguous
        Assert.Equal(4 * 512, Sum(calls, a => a.PagesPinned));
        Assert.Equal(calls.Count, Sum(calls, a => a.MmapLockAcquisitions));
        Assert.All(calls.SelectMany(c => c.Accounting.Holds).Where(h => h.Lock == GupLock.Pte), h => Assert.Equal(batch, h.Entries));
    }

    [Fact]
    public void Legacy_locked_pin_user_pages_locks_and_walks_per_page()
    {
        const ulong size = 2 * TwoMiB;
        var mm = Anon(size);
        var calls = All(va => Gup.PinUserPages(mm, va, Base + size, 512, Locked), Base, Base + size);
        Assert.Equal(2, calls.Count);
        Assert.Equal(1024, Sum(calls, a => a.PteLockAcquisitions));
        Assert.Equal(1024, Sum(calls, a => a.Walks));
        Assert.Equal(2, Sum(calls, a => a.MmapLockAcquisitions));
        Assert.Equal(Enumerable.Range(0, 512).Select(i => 1000 + 2UL * (ulong)i), calls[0].Pages);
    }

    [Fact]
    public void The_fast_path_takes_no_lock()
    {
        const ulong size = 2 * TwoMiB;
        var mm = Anon(size);
        var pages = All(va => Gup.PinUserPages(mm, va, Base + size, 512, Fast), Base, Base + size);
        var phyrs = All(va => Gup.GetUserPhyrs(mm, va, Base + size, 16, Fast), Base, Base + size);
        foreach (var calls in new[] { pages, phyrs })
        {
            Assert.Equal(0, Sum(calls, a => a.PteLockAcquisitions + a.HugeLockAcquisitions + a.MmapLockAcquisitions));
            Assert.Equal(calls.Count, Sum(calls, a => a.Walks));
            Assert.Equal(1024, Sum(calls, a => a.FastPathPages));
        }
    }

    [Fact]
    public void Missing_pages_fall_back_to_the_locked_path_and_fault()
    {
        var mm = Anon(TwoMiB, prefault: false);
        var call = Gup.PinUserPages(mm, Base, Base + TwoMiB, 512, Fast);
        Assert.Equal(512, call.Accounting.Faults);
        Assert.Equal(0, call.Accounting.FastPathPages);
        Assert.Equal(512, call.Accounting.LockedPathPages);
        Assert.Equal(1, call.Accounting.MmapLockAcquisitions);
        Assert.Equal(512, mm.Faults);
        // A second pin of the same range finds everything present: all fast.
        Assert.Equal(512, Gup.PinUserPages(mm, Base, Base + TwoMiB, 512, Fast).Accounting.FastPathPages);
    }

    [Fact]
    public void Hugetlb_1GiB_pages_give_one_phyr_per_contiguous_run()
    {
        // 1 GiB frames 3, 4 (contiguous), 7, 9, 10 (contiguous): three runs.
        var frames = new FrameSource().With(FrameSize.Pud, [new FrameRun(3, 2), new FrameRun(7, 1), new FrameRun(9, 2)]);
        var mm = new AddressSpace(frames);
        const ulong size = 5UL << 30;
        mm.Map(Base, size, Backing.Hugetlb1G);
        var call = Gup.GetUserPhyrs(mm, Base, Base + size, 512, Locked);
        Assert.Equal(Base + size, call.Next);
        Assert.Equal([new PhysRange(3UL << 30, 2UL << 30), new PhysRange(7UL << 30, 1UL << 30), new PhysRange(9UL << 30, 2UL << 30)],
            call.Phyrs);
        Assert.Equal(5, call.Accounting.HugeLockAcquisitions); // one per huge entry
        Assert.Equal(0, call.Accounting.PteLockAcquisitions);
        Assert.Equal(5, call.Accounting.Faults);
        Assert.Equal(10, call.Accounting.PinAtomics);            // per folio, the slow path's try_grab_folio: refcount and _pincount
        Assert.Equal(5L * 262144, call.Accounting.PagesPinned);
    }

    [Fact]
    public void Pin_accounting_per_folio_or_per_page()
    {
        var frames = new FrameSource().With(FrameSize.Pmd, [new FrameRun(100, 1), new FrameRun(300, 1)]);
        var mm = new AddressSpace(frames);
        mm.Map(Base, 2 * TwoMiB, Backing.Thp);
        mm.Fault(Base);
        mm.Fault(Base + TwoMiB);
        var batched = Gup.PinUserPages(mm, Base, Base + 2 * TwoMiB, 1024, Fast);
        var perPage = Gup.PinUserPages(mm, Base, Base + 2 * TwoMiB, 1024, Fast with { FolioBatchedPin = false });
        // gup_fast per grab: folio_ref_try_add, _pincount, folio_set_referenced (try_grab_folio_fast, gup_fast_pmd_leaf).
        Assert.Equal(2 * 3, batched.Accounting.PinAtomics);
        Assert.Equal(1024 * 3, perPage.Accounting.PinAtomics);
        Assert.Equal(1024, batched.Pages.Count);
    }

    [Fact]
    public void Capacity_counts_pages_for_page_arrays_and_entries_for_phyrs()
    {
        // Runs of two contiguous frames: 16 phyrs hold 32 pages; 16 pages are 16 pages.
        var frames = new FrameSource().With(FrameSize.Base, Enumerable.Range(0, 512).Select(i => new FrameRun(10_000 + 4UL * (ulong)i, 2)));
        var mm = new AddressSpace(frames);
        mm.Map(Base, TwoMiB, Backing.Anon4K);
        for (ulong va = Base; va < Base + TwoMiB; va += Page.Size) mm.Fault(va);
        Assert.Equal(Base + 16 * Page.Size, Gup.PinUserPages(mm, Base, Base + TwoMiB, 16, Fast).Next);
        var phyrs = Gup.GetUserPhyrs(mm, Base, Base + TwoMiB, 16, Locked);
        Assert.Equal(Base + 32 * Page.Size, phyrs.Next);
        Assert.All(phyrs.Phyrs, p => Assert.Equal(2 * Page.Size, p.Len));
    }

    [Fact]
    public void Device_memory_cannot_be_pinned_but_can_be_described_by_phyrs()
    {
        var mm = new AddressSpace(new FrameSource());
        mm.Map(Base, TwoMiB, Backing.DeviceMemory, deviceBasePfn: 0x4000_0000);
        var e = Assert.Throws<GupException>(() => Gup.PinUserPages(mm, Base, Base + TwoMiB, 512, Fast));
        Assert.Equal(GupError.Efault, e.Error);
        Assert.Contains("no struct page", e.Message);

        var call = Gup.GetUserPhyrs(mm, Base, Base + TwoMiB, 16, Fast);
        Assert.Equal([new PhysRange(0x4000_0000UL << 12, TwoMiB)], call.Phyrs);
        Assert.Equal(0, call.Accounting.PagesPinned);
        Assert.Equal(0, call.Accounting.FastPathPages);  // gup_fast refuses pages without struct page
        Assert.Equal(1, call.Accounting.PteLockAcquisitions);
    }

    [Fact]
    public void Per_vma_locks_replace_mmap_lock()
    {
        var mm = Anon(TwoMiB);
        var call = Gup.GetUserPhyrs(mm, Base, Base + TwoMiB, 512, Locked with { PerVmaLock = true });
        Assert.Equal(0, call.Accounting.MmapLockAcquisitions);
        Assert.Equal(1, call.Accounting.VmaLockAcquisitions);
    }

    [Fact]
    public void Addresses_outside_every_vma_are_EFAULT()
    {
        var mm = Anon(TwoMiB);
        var e = Assert.Throws<GupException>(() => Gup.GetUserPhyrs(mm, Base - Page.Size, Base + Page.Size, 16, Locked));
        Assert.Contains("not inside any VMA", e.Message);
        Assert.Throws<ArgumentException>(() => Gup.PinUserPages(mm, Base + 1, Base + TwoMiB, 16, Fast));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gup.PinUserPages(mm, Base, Base + TwoMiB, 0, Fast));
    }

    [Fact]
    public void Pins_are_counted_per_folio_and_an_extra_unpin_is_a_violation()
    {
        var mm = Anon(TwoMiB);
        Gup.PinUserPages(mm, Base, Base + TwoMiB, 512, Fast);
        Gup.GetUserPhyrs(mm, Base, Base + 16 * Page.Size, 16, Fast); // 16 pages pinned twice
        Assert.Equal(512 + 16, mm.PinnedPages);
        var small = mm.UnpinRange(Base, Base + TwoMiB, UnpinStyle.Default);
        Assert.Equal((512L, 512L, 512L), (small.Pages, small.Puts, small.Atomics)); // 4 KiB folios: a put (one atomic) each
        Assert.Equal(16, mm.PinnedPages);
        Assert.Equal(16, mm.PinnedFolios);
        Assert.Equal(0, mm.PinViolations);
        mm.UnpinRange(Base, Base + 32 * Page.Size, UnpinStyle.Default); // 16 of these 32 are no longer pinned
        Assert.Equal(16, mm.PinViolations);
        Assert.Equal(0, mm.PinnedFolios);
    }

    [Fact]
    public void Unpinning_a_huge_folio_is_one_put_when_batched()
    {
        var frames = new FrameSource().With(FrameSize.Pmd, [new FrameRun(100, 2)]);
        var mm = new AddressSpace(frames);
        mm.Map(Base, 2 * TwoMiB, Backing.Thp);
        Gup.PinUserPages(mm, Base, Base + 2 * TwoMiB, 1024, Fast);
        // unpin_user_pages: a put (two atomics: _pincount, refcount) per folio, but page_folio() reads every page's line.
        var batched = mm.UnpinRange(Base, Base + 2 * TwoMiB, UnpinStyle.Default);
        Assert.Equal((1024L, 2L, 4L, 1024L), (batched.Pages, batched.Puts, batched.Atomics, batched.Scanned));
        Assert.Equal(new LineCount(Missed: 1, Streamed: 1023), batched.Lines); // two adjacent folios: one stream
        Gup.PinUserPages(mm, Base, Base + 2 * TwoMiB, 1024, Fast);
        var perPage = mm.UnpinRange(Base, Base + 2 * TwoMiB, UnpinStyle.Default with { FolioBatched = false });
        Assert.Equal((1024L, 1024L, 2048L), (perPage.Pages, perPage.Puts, perPage.Atomics));
        // Over ranges (unpin_user_page_range_dirty_lock) only each folio's first line is read.
        Gup.PinUserPages(mm, Base, Base + 2 * TwoMiB, 1024, Fast);
        var ranged = mm.UnpinRange(Base, Base + 2 * TwoMiB, UnpinStyle.Default with { PageArray = false });
        Assert.Equal((2L, 2L), (ranged.Scanned, ranged.Lines.Total));
    }

    [Fact]
    public void The_longterm_check_reads_every_tail_line_per_page_and_only_the_head_per_folio()
    {
        // collect_longterm_unpinnable_folios over a 2 MiB hugetlb folio pinned by one lookup (-HL -n 512): before a03db236aebf
        // page_folio() on each of the 512 entries — the head's line the grab read, 511 tails nobody read; after, one per folio.
        var frames = new FrameSource().With(FrameSize.Pmd, [new FrameRun(100, 1)]);
        GupCall Pin(GupOptions o)
        {
            var mm = new AddressSpace(frames);
            mm.Map(Base, TwoMiB, Backing.Hugetlb2M);
            mm.Fault(Base);
            return Gup.PinUserPages(mm, Base, Base + TwoMiB, 512, o);
        }
        var perPage = Pin(Locked with { LongtermCheckPerPage = true }).Accounting;
        var perFolio = Pin(Locked).Accounting;
        Assert.Equal(new ScanCount(512, new LineCount(Hot: 1, Streamed: 511)), perPage.LongtermScan);
        Assert.Equal(new ScanCount(512, new LineCount(Hot: 1)), perFolio.LongtermScan);
        Assert.Equal((1L, 2L), (perFolio.Lookups, perFolio.PinAtomics)); // one lookup, refcount + _pincount
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(512)]
    [InlineData(1000)]
    public void Before_57edfcfd3419_a_thp_pinned_in_calls_of_any_size_counts_every_subpage_once(int batch)
    {
        // Two THPs pinned batch pages a call: the subpages a call takes after its first are counted in one step (a call of 1
        // takes none that way), so every batch size must give the same totals, subpage by subpage, and the same pages.
        var frames = new FrameSource().With(FrameSize.Pmd, [new FrameRun(100, 2)]);
        var mm = new AddressSpace(frames);
        mm.Map(Base, 2 * TwoMiB, Backing.Thp);
        mm.Fault(Base);
        mm.Fault(Base + TwoMiB);
        var (pages, lookups, locks, atomics, scanned, held) = (0L, 0L, 0L, 0L, 0L, 0L);
        var pfns = new List<ulong>();
        for (var va = Base; va < Base + 2 * TwoMiB;)
        {
            var call = Gup.PinUserPages(mm, va, Base + 2 * TwoMiB, batch, Locked with { ThpSlowBatch = false, LongtermCheckPerPage = true });
            var a = call.Accounting;
            (pages, lookups, locks, atomics, scanned) = (pages + a.PagesPinned, lookups + a.Lookups, locks + a.HugeLockAcquisitions, atomics + a.PinAtomics, scanned + a.LongtermScan.Entries);
            held += a.Holds.Where(h => h.Lock == GupLock.Huge).Sum(h => h.Repeat * h.Pages);
            pfns.AddRange(call.Pages);
            va = call.Next;
        }
        Assert.Equal((1024L, 1024L, 1024L, 2048L, 1024L, 1024L), (pages, lookups, locks, atomics, scanned, held));
        Assert.Equal(Enumerable.Range(0, 1024).Select(i => (100UL << 9) + (ulong)i), pfns);
        Assert.Equal(1024, mm.PinnedPages);
    }

    [Fact]
    public void Before_57edfcfd3419_the_slow_path_looks_up_every_subpage_of_a_thp()
    {
        var frames = new FrameSource().With(FrameSize.Pmd, [new FrameRun(100, 1)]);
        GupCall Pin(bool batch)
        {
            var mm = new AddressSpace(frames);
            mm.Map(Base, TwoMiB, Backing.Thp);
            mm.Fault(Base);
            return Gup.PinUserPages(mm, Base, Base + TwoMiB, 512, Locked with { ThpSlowBatch = batch });
        }
        var before = Pin(false).Accounting;
        var after = Pin(true).Accounting;
        Assert.Equal((512L, 512L, 1024L), (before.Lookups, before.HugeLockAcquisitions, before.PinAtomics)); // a lock and a grab per subpage
        Assert.Equal((1L, 1L, 2L), (after.Lookups, after.HugeLockAcquisitions, after.PinAtomics));
        Assert.Equal(512, before.PagesPinned);
        Assert.Equal(512, after.PagesPinned);
        // Per-subpage grabs read each subpage's line in order: the first a miss, the rest streamed.
        Assert.Equal(512, before.Holds.Sum(h => h.Repeat * (h.Lines.Hot + h.Lines.Streamed + h.Lines.Missed)) - 1); // + the _pincount line once
        // Subpages alike are one hold repeated: the first subpage's (head lines), then 511 of one streamed line each.
        Assert.Equal([1L, 511L], before.Holds.Where(h => h.Lock == GupLock.Huge).Select(h => h.Repeat));
    }

    [Fact]
    public void A_new_run_of_frames_is_a_struct_page_miss_and_the_next_frame_is_streamed()
    {
        // Three 4 KiB frames: 10 and 11 contiguous, then 50. The locked path reads each page's line as it grabs it.
        var frames = new FrameSource().With(FrameSize.Base, [new FrameRun(10, 2), new FrameRun(50, 1)]);
        var mm = new AddressSpace(frames);
        mm.Map(Base, 3 * Page.Size, Backing.Anon4K);
        for (var i = 0UL; i < 3; i++) mm.Fault(Base + i * Page.Size);
        var call = Gup.PinUserPages(mm, Base, Base + 3 * Page.Size, 3, Locked);
        Assert.Equal([new LineCount(Missed: 1), new LineCount(Streamed: 1), new LineCount(Missed: 1)], call.Accounting.Holds.Where(h => h.Lock == GupLock.Pte).Select(h => h.Lines));
        Assert.Equal(3, call.Accounting.PinAtomics); // the slow path: folio_ref_add of the bias, one per small folio
    }

    [Fact]
    public void Every_call_grabs_its_first_folio_even_when_the_last_call_ended_in_it()
    {
        // 512-page calls over one 1 GiB hugetlb folio (gup_test -n 512): each call is one grab (try_grab_folio_fast with
        // refs = 512) — three atomics — and only the first reads the folio's head lines from memory.
        var frames = new FrameSource().With(FrameSize.Pud, [new FrameRun(3, 1)]);
        var mm = new AddressSpace(frames);
        mm.Map(Base, 1UL << 30, Backing.Hugetlb1G);
        mm.Fault(Base);
        var first = Gup.PinUserPages(mm, Base, Base + TwoMiB, 512, Fast).Accounting;
        var second = Gup.PinUserPages(mm, Base + TwoMiB, Base + 2 * TwoMiB, 512, Fast).Accounting;
        Assert.Equal((3L, 3L), (first.PinAtomics, second.PinAtomics));
        Assert.Equal(new LineCount(Streamed: 1), first.FastPathLines - new LineCount(Missed: first.FastPathLines.Missed)); // the _pincount line
        Assert.Equal(new LineCount(Missed: 1), second.FastPathLines); // the subpage's own line, 32 KiB of memmap on; the head's still cached
    }
    [Fact]
    public void A_dirtying_unpin_locks_marks_and_unlocks_each_clean_folio_once()
    {
        // unpin_user_page_range_dirty_lock(..., true) (mm/gup.c): folio_lock, folio_mark_dirty, folio_unlock — three atomics —
        // for a folio not yet PG_dirty; anonymous folios are clean after their write faults (only the PTE is dirtied).
        var mm = Anon(16 * Page.Size);
        var dirty = UnpinStyle.Default with { PageArray = false, Dirty = true };
        Gup.PinUserPages(mm, Base, Base + 16 * Page.Size, 16, Fast);
        var first = mm.UnpinRange(Base, Base + 16 * Page.Size, dirty);
        Assert.Equal((16L, 16L + 3 * 16L), (first.Dirtied, first.Atomics));
        Gup.PinUserPages(mm, Base, Base + 16 * Page.Size, 16, Fast);
        var again = mm.UnpinRange(Base, Base + 16 * Page.Size, dirty); // folio_test_dirty: already dirty
        Assert.Equal((0L, 16L), (again.Dirtied, again.Atomics));

        // A run of following frames (the table-run step) is marked page by page too.
        var frames = new FrameSource().With(FrameSize.Base, [new FrameRun(10, 64)]);
        var contiguous = new AddressSpace(frames);
        contiguous.Map(Base, 64 * Page.Size, Backing.Anon4K);
        for (var va = Base; va < Base + 64 * Page.Size; va += Page.Size) contiguous.Fault(va);
        Gup.PinUserPages(contiguous, Base, Base + 64 * Page.Size, 64, Fast);
        var run = contiguous.UnpinRange(Base, Base + 64 * Page.Size, dirty);
        Assert.Equal((64L, 64L * 4), (run.Dirtied, run.Atomics));
        // Without make_dirty (gup_test's unpin_user_pages) nothing is marked.
        Gup.PinUserPages(mm, Base, Base + 16 * Page.Size, 16, Fast);
        Assert.Equal(0, mm.UnpinRange(Base, Base + 16 * Page.Size, UnpinStyle.Default).Dirtied);
    }

    [Fact]
    public void A_thp_is_marked_once_and_a_hugetlbfs_folio_is_dirty_already()
    {
        var frames = new FrameSource().With(FrameSize.Pmd, [new FrameRun(100, 2)]);
        var thp = new AddressSpace(frames);
        thp.Map(Base, 2 * TwoMiB, Backing.Thp);
        Gup.PinUserPages(thp, Base, Base + 2 * TwoMiB, 1024, Fast);
        // put_pfn per page (VFIO before d14de5b92578): the first page of each THP marks it, the other 511 find it dirty.
        var perPage = thp.UnpinRange(Base, Base + 2 * TwoMiB, new UnpinStyle(false, false, true, false, Dirty: true));
        Assert.Equal((2L, 2048L + 6), (perPage.Dirtied, perPage.Atomics));

        var hugetlb = new AddressSpace(frames);
        hugetlb.Map(Base, 2 * TwoMiB, Backing.Hugetlb2M);
        Gup.PinUserPages(hugetlb, Base, Base + 2 * TwoMiB, 1024, Fast);
        var pageCache = hugetlb.UnpinRange(Base, Base + 2 * TwoMiB, UnpinStyle.Default with { PageArray = false, Dirty = true });
        Assert.Equal((0L, 4L), (pageCache.Dirtied, pageCache.Atomics)); // hugetlb_add_to_page_cache marked them
    }

    [Fact]
    public void A_read_populated_page_is_dirtied_by_a_writing_pin_not_by_the_unpin()
    {
        // MAP_POPULATE of a shared mapping reads the pages in: clean PTEs. follow_page_pte with FOLL_TOUCH | FOLL_WRITE then
        // calls folio_mark_dirty (one atomic); the dirtying unpin finds the folios dirty.
        static AddressSpace ReadIn()
        {
            var mm = new AddressSpace(new FrameSource().With(FrameSize.Base, [new FrameRun(10, 8)]));
            mm.Map(Base, 8 * Page.Size, Backing.Anon4K);
            for (var va = Base; va < Base + 8 * Page.Size; va += Page.Size) mm.Fault(va, write: false);
            return mm;
        }
        var mm = ReadIn();
        var pin = Gup.PinUserPages(mm, Base, Base + 8 * Page.Size, 8, Locked).Accounting;
        Assert.Equal(8 + 8, pin.PinAtomics); // the bias add and the dirtying, each page
        var unpin = mm.UnpinRange(Base, Base + 8 * Page.Size, UnpinStyle.Default with { PageArray = false, Dirty = true });
        Assert.Equal(0, unpin.Dirtied);
        // get_user_phyrs' locked walk takes the run of following frames in one step: the same count.
        Assert.Equal(8 + 8, Gup.GetUserPhyrs(ReadIn(), Base, Base + 8 * Page.Size, 16, Locked).Accounting.PinAtomics);
        // A read-only pin (gup_test -W) leaves them clean; the fast path never marks (gup_fast has no FOLL_TOUCH work).
        var other = ReadIn();
        Assert.Equal(8, Gup.PinUserPages(other, Base, Base + 8 * Page.Size, 8, Locked with { Write = false }).Accounting.PinAtomics);
        Assert.Equal(3 * 8, Gup.PinUserPages(other, Base, Base + 8 * Page.Size, 8, Fast).Accounting.PinAtomics); // its three a page, no more
    }
}

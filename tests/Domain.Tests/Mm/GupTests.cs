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
        Assert.Equal(5, call.Accounting.PinAtomics);             // one per folio
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
        Assert.Equal(2, batched.Accounting.PinAtomics);
        Assert.Equal(1024, perPage.Accounting.PinAtomics);
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
        Assert.Equal((512L, 512L), mm.UnpinRange(Base, Base + TwoMiB, folioBatched: true)); // 4 KiB folios: a put each
        Assert.Equal(16, mm.PinnedPages);
        Assert.Equal(16, mm.PinnedFolios);
        Assert.Equal(0, mm.PinViolations);
        mm.UnpinRange(Base, Base + 32 * Page.Size, folioBatched: true); // 16 of these 32 are no longer pinned
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
        Assert.Equal((1024L, 2L), mm.UnpinRange(Base, Base + 2 * TwoMiB, folioBatched: true));
        Gup.PinUserPages(mm, Base, Base + 2 * TwoMiB, 1024, Fast);
        Assert.Equal((1024L, 1024L), mm.UnpinRange(Base, Base + 2 * TwoMiB, folioBatched: false));
    }
}

using FsCheck.Xunit;
using Phyr.Domain.Iommu;

namespace Phyr.Domain.Tests.Iommu;

/// <summary>drivers/iommu/iova.c, cases worked out from its code.</summary>
public class IovaTests
{
    private const ulong Limit48 = (1UL << 36) - 1; // a 48-bit DMA mask in 4 KiB pfns

    [Fact]
    public void Allocation_is_top_down_and_size_aligned()
    {
        var iova = new IovaAllocator();
        Assert.Equal(new IovaRange(Limit48, Limit48), iova.Alloc(1, Limit48));
        Assert.Equal(new IovaRange(Limit48 - 1, Limit48 - 1), iova.Alloc(1, Limit48));
        // 3 pages, size-aligned: high = 2^36 - 2 (the cached node), (high - 3) & ~3 = 2^36 - 8.
        Assert.Equal(new IovaRange((1UL << 36) - 8, (1UL << 36) - 6), iova.Alloc(3, Limit48));
    }

    [Fact]
    public void A_freed_top_range_is_reused_next()
    {
        var iova = new IovaAllocator();
        var a = iova.Alloc(1, Limit48)!.Value;
        var b = iova.Alloc(1, Limit48)!.Value;
        iova.Free(a.PfnLo); // at or above the cached node (b): the cached node moves to a's successor, the anchor
        Assert.Equal(a, iova.Alloc(1, Limit48));
        iova.Free(b.PfnLo); // below the cached node (a): the cache stays, the next search starts from a
        var c = iova.Alloc(1, Limit48)!.Value;
        Assert.Equal(b, c);
    }

    [Fact]
    public void A_full_space_returns_null_and_a_free_makes_room()
    {
        var iova = new IovaAllocator(startPfn: 1);
        const ulong limit = 8; // pfns 1..8
        var got = new List<IovaRange>();
        while (iova.Alloc(1, limit) is { } r) got.Add(r);
        Assert.Equal(8, got.Count);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (ulong)i).Reverse(), got.Select(r => r.PfnLo));
        iova.Free(5);
        Assert.Equal(new IovaRange(5, 5), iova.Alloc(1, limit)); // found by the retry from the limit
    }

    [Fact]
    public void Free_of_an_unknown_range_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new IovaAllocator().Free(42));
    }

    [Property(MaxTest = 200)]
    public void Ranges_never_overlap_stay_under_the_limit_and_are_aligned(byte[] ops)
    {
        var iova = new IovaAllocator();
        const ulong limit = 4095;
        var live = new List<IovaRange>();
        foreach (var op in ops)
        {
            if (op % 3 == 0 && live.Count > 0)
            {
                var victim = live[op % live.Count];
                iova.Free(victim.PfnLo);
                live.Remove(victim);
                continue;
            }
            var size = 1UL + (ulong)(op % 40);
            if (iova.Alloc(size, limit) is not { } r) continue;
            Assert.Equal(size, r.Size);
            Assert.True(r.PfnHi <= limit && r.PfnLo >= 1);
            Assert.Equal(0UL, r.PfnLo % System.Numerics.BitOperations.RoundUpToPowerOf2(size));
            Assert.DoesNotContain(live, l => l.PfnLo <= r.PfnHi && r.PfnLo <= l.PfnHi);
            live.Add(r);
            Assert.Equal(r, iova.Find(r.PfnLo + size / 2));
        }
        Assert.Equal(live.Count, iova.Count);
    }

    [Fact]
    public void Sizes_under_32_pages_are_rounded_and_cached_per_cpu()
    {
        var d = new IovaDomain();
        var a = d.AllocFast(cpu: 0, size: 3, Limit48);
        Assert.Equal(4UL, a.Size);
        Assert.Equal(RcacheOutcome.Miss, a.Cache);
        Assert.True(a.TookTreeLock);
        Assert.Equal(RcacheOutcome.Loaded, d.FreeFast(0, a.Pfn, 3).Cache);
        var again = d.AllocFast(0, 4, Limit48);
        Assert.Equal((a.Pfn, RcacheOutcome.Loaded, false), (again.Pfn, again.Cache, again.TookTreeLock));
        d.FreeFast(0, again.Pfn, 4);
        Assert.Equal(RcacheOutcome.Miss, d.AllocFast(1, 4, Limit48).Cache); // another CPU's cache is empty
    }

    [Fact]
    public void Large_sizes_bypass_the_cache()
    {
        var d = new IovaDomain();
        var a = d.AllocFast(0, 64, Limit48);
        Assert.Equal(RcacheOutcome.NotCached, a.Cache);
        var f = d.FreeFast(0, a.Pfn, 64);
        Assert.Equal(RcacheOutcome.NotCached, f.Cache);
        Assert.True(f.TookTreeLock);
        Assert.Equal(0, d.Tree.Count);
    }

    [Fact]
    public void Full_magazines_swap_then_go_to_the_depot()
    {
        var cache = new IovaCache();
        for (ulong i = 0; i < 127; i++) Assert.Equal(RcacheOutcome.Loaded, cache.Insert(0, 1000 + i, 1).Outcome);
        Assert.Equal(RcacheOutcome.Prev, cache.Insert(0, 2000, 1).Outcome);   // loaded full: the empty prev is swapped in
        for (ulong i = 1; i < 127; i++) cache.Insert(0, 2000 + i, 1);
        Assert.Equal(RcacheOutcome.Depot, cache.Insert(0, 3000, 1).Outcome);  // both full: loaded goes to the depot
        Assert.Equal(1, cache.DepotMagazines(0));
        // CPU 1 has nothing of its own: it takes the depot's magazine.
        var (pfn, outcome) = cache.Get(1, 1, 1UL << 36);
        Assert.Equal(RcacheOutcome.Depot, outcome);
        Assert.NotNull(pfn);
        Assert.Equal(0, cache.DepotMagazines(0));
    }

    [Fact]
    public void A_magazine_pop_skips_pfns_above_the_limit()
    {
        var cache = new IovaCache();
        cache.Insert(0, 100, 1);
        cache.Insert(0, 5000, 1);
        var first = cache.Get(0, 1, 200);
        Assert.Equal(100UL, first.Pfn);
        Assert.Equal(RcacheOutcome.Loaded, first.Outcome);
        Assert.Equal(RcacheOutcome.Miss, cache.Get(0, 1, 200).Outcome); // only 5000 is left, above the limit
    }
}

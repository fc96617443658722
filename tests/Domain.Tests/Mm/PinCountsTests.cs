using FsCheck;
using FsCheck.Fluent;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

public class PinCountsTests
{
    [Fact]
    public void Counts_add_up_and_vanish_at_zero()
    {
        var p = new PinCounts();
        Assert.Equal(0, p.Get(0));
        Assert.Equal(1, p.Add(0, 1));        // pfn 0 is a frame like any other
        Assert.Equal(3, p.Add(0, 2));
        Assert.Equal(1, p.Add(7, 1));
        Assert.Equal(2, p.Count);
        Assert.Equal(0, p.Add(0, -3));
        Assert.Equal(1, p.Count);
        Assert.Equal(0, p.Get(0));
        Assert.Equal(-1, p.Add(9, -1));      // an unpin without a pin shows as negative, for the caller to flag
    }

    /// <summary>Counts other than 0 and 1 (many pins, an unpin without a pin, far beyond a slot's packing) go apart and come back.</summary>
    [Fact]
    public void Counts_beyond_one_are_kept_apart_and_come_back()
    {
        var p = new PinCounts();
        p.Add(5, 1);
        Assert.Equal(40_000, p.Add(6, 40_000));
        Assert.Equal(-5000, p.Add(7, -5000));
        Assert.Equal(3, p.Count);
        Assert.Equal(1, p.Add(6, -39_999));
        Assert.Equal(0, p.Add(7, 5000));
        Assert.Equal((1, 1, 0, 2), (p.Get(5), p.Get(6), p.Get(7), p.Count));
        Assert.Equal(1, p.Add(PfnFile.MaxPfn, 1)); // the largest frame a pfn file may name
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Add(ulong.MaxValue, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Get(ulong.MaxValue));
    }

    /// <summary>
    /// Against a Dictionary, on pfns that crowd a few blocks past their list's limit (so they turn into bitmaps, and lose
    /// and regain pins there) and scatter over others, with counts of every sign and size.
    /// </summary>
    [Fact]
    public void Behaves_like_a_dictionary()
    {
        var pfn = Gen.Frequency(
            (6, Gen.Choose(0, 2).Zip(Gen.Choose(0, 1500)).Select(t => ((ulong)t.Item1 << 16) + (ulong)t.Item2 * 3)),
            (1, Gen.Choose(0, 5000).Select(k => (ulong)k * 70_001)));
        var delta = Gen.Frequency((9, Gen.Choose(-2, 3)), (1, Gen.Choose(-3000, 3000)));
        Prop.ForAll(pfn.Zip(delta).ListOf().ToArbitrary(), list =>
        {
            var p = new PinCounts();
            var d = new Dictionary<ulong, int>();
            foreach (var (f, change) in list)
            {
                var expected = d.GetValueOrDefault(f) + change;
                if (expected == 0) d.Remove(f);
                else d[f] = expected;
                if (p.Add(f, change) != expected) return false;
            }
            return p.Count == d.Count && d.All(kv => p.Get(kv.Key) == kv.Value) && list.All(t => p.Get(t.Item1) == d.GetValueOrDefault(t.Item1));
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>A block filled past its list (a bitmap from then on) emptied again and filled again: every count exact.</summary>
    [Fact]
    public void A_block_turned_bitmap_empties_and_fills_again()
    {
        var p = new PinCounts();
        for (ulong i = 0; i < 3 * PinCounts.SparseMax; i++) p.Defer((1UL << 16) + i * 7 % 65536, 1);
        Assert.Equal(3 * PinCounts.SparseMax, p.Count);
        for (ulong i = 0; i < 3 * PinCounts.SparseMax; i += 2) p.Defer((1UL << 16) + i * 7 % 65536, -1);
        Assert.Equal(3 * PinCounts.SparseMax / 2, p.Count);
        Assert.Equal((0, 1), (p.Get(1UL << 16), p.Get((1UL << 16) + 7)));
        for (ulong i = 1; i < 3 * PinCounts.SparseMax; i += 2) p.Defer((1UL << 16) + i * 7 % 65536, -1);
        Assert.Equal((0, 0L), (p.Count, p.Underflows));
        p.Add(1UL << 16, 2);
        Assert.Equal((2, 1), (p.Get(1UL << 16), p.Count));
    }

    /// <summary>
    /// Deferred changes (more than one queue's worth, so flushes in the middle), mixed with immediate ones and reads,
    /// give exactly the counts of applying each at once, a change that would go below 0 leaving 0 and counting an
    /// underflow.
    /// </summary>
    [Fact]
    public void Deferred_changes_apply_in_order_and_clamp_at_zero()
    {
        var op = Gen.Choose(0, 600).Zip(Gen.Choose(-2, 3)).Zip(Gen.Frequency((8, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2))));
        Prop.ForAll(op.ListOf().ToArbitrary(), list =>
        {
            var p = new PinCounts();
            var d = new Dictionary<ulong, int>();
            long underflows = 0;
            foreach (var ((k, delta), kind) in list)
            {
                var pfn = (ulong)k * 512 + 3;
                var now = d.GetValueOrDefault(pfn);
                switch (kind)
                {
                    case 0: // deferred: clamped at 0
                        var next = now + delta;
                        if (next < 0)
                        {
                            underflows++;
                            next = 0;
                        }
                        if (next == 0) d.Remove(pfn);
                        else d[pfn] = next;
                        p.Defer(pfn, delta);
                        break;
                    case 1: // immediate: sees every deferred change before it
                        if (now + delta == 0) d.Remove(pfn);
                        else d[pfn] = now + delta;
                        if (p.Add(pfn, delta) != now + delta) return false;
                        break;
                    default:
                        if (p.Get(pfn) != now) return false;
                        break;
                }
            }
            return p.Underflows == underflows && p.Count == d.Count && d.All(kv => p.Get(kv.Key) == kv.Value);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>More changes than one queue holds: the queue is applied when full, in order, and the rest at the first read.</summary>
    [Fact]
    public void A_long_run_of_deferred_changes_is_applied_whole()
    {
        var p = new PinCounts();
        for (ulong pfn = 0; pfn < 1000; pfn++) p.Defer(pfn * 7, 1);
        Assert.Equal(1000, p.Count);
        for (ulong pfn = 0; pfn < 1000; pfn++) p.Defer(pfn * 7, pfn == 500 ? -2 : -1);
        p.Defer(7001, -1);
        Assert.Equal((0, 2L), (p.Count, p.Underflows));
    }

    [Fact]
    public void A_deferred_change_of_a_frame_beyond_the_address_space_throws_at_once()
    {
        var p = new PinCounts();
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Defer(ulong.MaxValue, 1));
        Assert.Equal(0, p.Count);
    }
}

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

    /// <summary>A count beyond what a slot packs (±1023) moves to the side table and back, both signs, with its neighbours intact.</summary>
    [Fact]
    public void Large_counts_leave_the_slot_and_come_back()
    {
        var p = new PinCounts();
        p.Add(5, 1);
        Assert.Equal(1023, p.Add(6, 1023));
        Assert.Equal(1024, p.Add(6, 1));
        Assert.Equal(40_000, p.Add(6, 38_976));
        Assert.Equal(-5000, p.Add(7, -5000));
        Assert.Equal(3, p.Count);
        Assert.Equal(1, p.Add(6, -39_999));
        Assert.Equal(1, p.Get(6));
        Assert.Equal(0, p.Add(7, 5000));
        Assert.Equal(0, p.Get(7));
        Assert.Equal((1, 1, 2), (p.Get(5), p.Get(6), p.Count));
        Assert.Equal(1, p.Add(PfnFile.MaxPfn, 1)); // the largest frame a pfn file may name
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Add(ulong.MaxValue, 1));
    }

    /// <summary>
    /// Against a Dictionary, through growth and backward-shift deletions, on clustered pfns that collide; in a table of
    /// its own size or one reserved at any size (not a power of two: probes wrap at its end).
    /// </summary>
    [Fact]
    public void Behaves_like_a_dictionary()
    {
        var ops = Gen.Choose(0, 300).Zip(Gen.Frequency((9, Gen.Choose(-3, 3)), (1, Gen.Choose(-3000, 3000)))).ListOf();
        Prop.ForAll(ops.ToArbitrary(), Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 400))).ToArbitrary(), (list, reserve) =>
        {
            var p = new PinCounts();
            if (reserve > 0) p.Reserve(reserve);
            var d = new Dictionary<ulong, int>();
            foreach (var (k, delta) in list)
            {
                var pfn = (ulong)k * 4096;           // strided keys stress the hash
                var expected = d.GetValueOrDefault(pfn) + delta;
                if (expected == 0) d.Remove(pfn);
                else d[pfn] = expected;
                if (p.Add(pfn, delta) != expected) return false;
            }
            return p.Count == d.Count && Enumerable.Range(0, 301).All(k => p.Get((ulong)k * 4096) == d.GetValueOrDefault((ulong)k * 4096));
        }).QuickCheckThrowOnFailure();
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

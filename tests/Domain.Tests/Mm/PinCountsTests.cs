using FsCheck;
using FsCheck.Fluent;
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

    /// <summary>Against a Dictionary, through growth and backward-shift deletions, on clustered pfns that collide.</summary>
    [Fact]
    public void Behaves_like_a_dictionary()
    {
        var ops = Gen.Choose(0, 300).Zip(Gen.Choose(-3, 3)).ListOf();
        Prop.ForAll(ops.ToArbitrary(), list =>
        {
            var p = new PinCounts();
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
}

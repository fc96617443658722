using FsCheck;
using FsCheck.Fluent;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

public class PfnCountTableTests
{
    /// <summary>A count beyond what a slot packs (±1023) moves to the side table and back, both signs, with its neighbours intact.</summary>
    [Fact]
    public void Large_counts_leave_the_slot_and_come_back()
    {
        var p = new PfnCountTable();
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

    /// <summary>Against a Dictionary, through growth and backward-shift deletions (probes wrap at the table's end), on clustered pfns that collide.</summary>
    [Fact]
    public void Behaves_like_a_dictionary()
    {
        var ops = Gen.Choose(0, 300).Zip(Gen.Frequency((9, Gen.Choose(-3, 3)), (1, Gen.Choose(-3000, 3000)))).ListOf();
        Prop.ForAll(ops.ToArbitrary(), list =>
        {
            var p = new PfnCountTable();
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

using FsCheck;
using FsCheck.Fluent;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

public class GupCallTests
{
    /// <summary>A page array's ranges are its pages in canonical form (PhysRanges.Normalize), runs merged, order kept.</summary>
    [Fact]
    public void A_page_arrays_ranges_are_its_pages_normalized()
    {
        var pages = Gen.Choose(0, 40).Select(p => (ulong)p).ListOf();
        Prop.ForAll(pages.ToArbitrary(), list =>
        {
            var call = new GupCall(0, 0, [.. list], [], new GupAccounting());
            var expected = PhysRanges.Normalize(list.Select(p => new PhysRange(p << Page.Shift, Page.Size)));
            return call.Ranges().SequenceEqual(expected);
        }).QuickCheckThrowOnFailure();
        Assert.Equal([new PhysRange(0x5000, 0x2000), new PhysRange(0x1000, 0x1000)], new GupCall(0, 0, [5, 6, 1], [], new GupAccounting()).Ranges());
    }
}

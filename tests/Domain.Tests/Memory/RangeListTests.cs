using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Memory;

/// <summary>The growing, merging, immutable list of physical ranges a driver keeps across GUP calls.</summary>
public class RangeListTests
{
    [Fact]
    public void A_range_that_continues_the_last_one_merges_into_it()
    {
        var list = RangeList.Empty.Append([new PhysRange(0x1000, 0x1000), new PhysRange(0x2000, 0x2000)]).Append(new PhysRange(0x9000, 0x1000));
        Assert.Equal([new PhysRange(0x1000, 0x3000), new PhysRange(0x9000, 0x1000)], list.ToArray());
        Assert.Equal(2, list.Count);
        Assert.Equal(new PhysRange(0x9000, 0x1000), list.Last);
    }

    [Fact]
    public void An_older_list_keeps_what_it_held_when_newer_ones_grow_from_it()
    {
        var a = RangeList.Empty.Append([new PhysRange(0, 0x1000), new PhysRange(0x5000, 0x1000)]);
        var b = a.Append(new PhysRange(0x9000, 0x1000));   // writes past a's end in place
        var c = a.Append(new PhysRange(0x6000, 0x1000));   // a again: merges into a's last, b untouched
        var d = a.Append(new PhysRange(0xf000, 0x1000));   // a again, past its end: copies first
        Assert.Equal([new PhysRange(0, 0x1000), new PhysRange(0x5000, 0x1000)], a.ToArray());
        Assert.Equal([new PhysRange(0, 0x1000), new PhysRange(0x5000, 0x1000), new PhysRange(0x9000, 0x1000)], b.ToArray());
        Assert.Equal([new PhysRange(0, 0x1000), new PhysRange(0x5000, 0x2000)], c.ToArray());
        Assert.Equal([new PhysRange(0, 0x1000), new PhysRange(0x5000, 0x1000), new PhysRange(0xf000, 0x1000)], d.ToArray());
    }

    /// <summary>Appended in any batches, the list is the ranges normalized (adjacent ones merged), as PhysRanges.Normalize gives.</summary>
    [Property(MaxTest = 200)]
    public Property Appending_in_batches_equals_normalizing_the_whole(PositiveInt[] pages, bool[] gaps, PositiveInt cut)
    {
        var ranges = new List<PhysRange>();
        ulong at = 0x10_0000;
        for (var i = 0; i < pages.Length; i++)
        {
            var len = (ulong)(pages[i].Get % 8 + 1) << 12;
            ranges.Add(new PhysRange(at, len));
            at += len + (i < gaps.Length && gaps[i] ? 0x1000UL : 0);
        }
        var list = RangeList.Empty;
        var step = cut.Get % 5 + 1;
        for (var i = 0; i < ranges.Count; i += step) list = list.Append(ranges.Skip(i).Take(step).ToArray());
        return (list.ToArray().SequenceEqual(PhysRanges.Normalize(ranges))).ToProperty();
    }

    /// <summary>Across chunks: lists share what they hold, an older one appending copies only its part-filled chunk (or none on a chunk's edge).</summary>
    [Theory]
    [InlineData(RangeList.ChunkRanges + 5)]
    [InlineData(RangeList.ChunkRanges + 1)] // a's closed ranges end on a chunk's edge
    public void Lists_across_chunks_keep_what_they_held(int held)
    {
        var ranges = Enumerable.Range(0, 2 * RangeList.ChunkRanges + 10).Select(i => new PhysRange((ulong)i * 0x2000, 0x1000)).ToArray();
        var other = new PhysRange(0x1_0000_0000, 0x1000);
        var a = RangeList.Empty.Append(ranges.AsSpan(0, held));
        var b = a.Append(ranges.AsSpan(held));  // the newest: in place
        var c = a.Append(other);                // older: copies
        var d = c.Append(ranges.AsSpan(held));  // c's lineage grows on its own
        Assert.Equal(ranges.Take(held), a);
        Assert.Equal(ranges, b.ToArray());
        Assert.Equal(ranges, b);
        Assert.Equal([.. ranges.Take(held), other], c.ToArray());
        Assert.Equal([.. ranges.Take(held), other, .. ranges.Skip(held)], d.ToArray());
        Assert.Equal(ranges[RangeList.ChunkRanges], b[RangeList.ChunkRanges]);
        Assert.Equal(other, c[held]);
        Assert.Throws<ArgumentOutOfRangeException>(() => a[held]);
    }

    /// <summary>
    /// Ranges that do not pack into 8 bytes — not whole pages, 64 GiB or longer, beyond 2^52, the largest pfn with the
    /// longest packed count — come back exactly, by index, in every list of a lineage, and across a copy.
    /// </summary>
    [Fact]
    public void Ranges_that_do_not_pack_are_kept_apart_exactly()
    {
        var odd = new[]
        {
            new PhysRange(0x1234, 0x1000),                        // not page-aligned
            new PhysRange(0x10_0000_0000, 64UL << 30),            // 64 GiB: beyond 24 bits of pages
            new PhysRange(1UL << 52, 0x1000),                     // beyond a 52-bit physical address
            new PhysRange(((1UL << 40) - 1) << 12, ((1UL << 24) - 1) << 12), // would pack to the marker itself
            new PhysRange(((1UL << 40) - 1) << 12, ((1UL << 24) - 2) << 12), // the largest that packs
            new PhysRange(0x8000, 0x800),                         // half a page
        };
        var ranges = new List<PhysRange>();
        for (var i = 0; i < RangeList.ChunkRanges + 3; i++) ranges.Add(new PhysRange((ulong)i * 0x3000 + 0x100_0000_0000, 0x1000));
        for (var k = 0; k < odd.Length; k++) ranges.Insert(k * 700, odd[k]);
        var list = RangeList.Empty;
        foreach (var r in ranges) list = list.Append(r);
        Assert.Equal(ranges, list.ToArray());
        Assert.Equal(ranges, list);
        Assert.Equal(odd[3], list[3 * 700]);
        var older = RangeList.Empty.Append(ranges.Take(2000).ToArray());
        var copy = older.Append(new PhysRange(0x5_0000_0000, 0x1000));       // older lists appending copy what they hold
        var sibling = older.Append(new PhysRange(0x6_0000_0000, 0x1234));
        Assert.Equal(ranges.Take(2000).Append(new PhysRange(0x5_0000_0000, 0x1000)), copy.ToArray());
        Assert.Equal(ranges.Take(2000).Append(new PhysRange(0x6_0000_0000, 0x1234)), sibling.ToArray());
    }
}


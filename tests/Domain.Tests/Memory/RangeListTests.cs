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
}

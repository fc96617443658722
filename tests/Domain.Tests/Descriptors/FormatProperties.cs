using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Memory;
using Phyr.Domain.Tests.Generators;

namespace Phyr.Domain.Tests.Descriptors;

/// <summary>Properties every descriptor format must have, on generated layouts.</summary>
public class FormatProperties
{
    private static readonly DescriptorOptions Options = DescriptorOptions.Default;

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Every_format_covers_exactly_the_layouts_bytes(LayoutCase c)
    {
        var layout = c.Build();
        foreach (var format in DescriptorFormat.All)
        {
            var d = format.Build(layout.Ranges, Options);
            Assert.Equal(layout.Ranges.ToArray(), PhysRanges.Normalize(d.Decode()).ToArray());
            Assert.Equal(layout.Length, PhysRanges.TotalBytes(d.Decode()));
        }
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 200)]
    public void Converting_between_any_two_formats_keeps_the_bytes(LayoutCase c, PositiveInt a, PositiveInt b)
    {
        var layout = c.Build();
        var from = DescriptorFormat.All[a.Get % DescriptorFormat.All.Count];
        var to = DescriptorFormat.All[b.Get % DescriptorFormat.All.Count];
        var converted = to.Convert(from.Build(layout.Ranges, Options));
        Assert.Equal(to.Name, converted.Name);
        Assert.Equal(layout.Ranges.ToArray(), PhysRanges.Normalize(converted.Decode()).ToArray());
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Phyr_entries_are_the_maximal_contiguous_runs(LayoutCase c)
    {
        // Counted independently: the 4 KiB pages the window touches, and where pfn != previous + 1.
        var layout = c.Build();
        var pagesPerFrame = c.Size.BasePages;
        var pfns = c.Frames.SelectMany(f => Enumerable.Range(0, (int)pagesPerFrame).Select(i => f * pagesPerFrame + (ulong)i)).ToList();
        var first = (int)(c.Offset / Page.Size);
        var last = (int)((c.Offset + c.Length - 1) / Page.Size);
        var touched = pfns.GetRange(first, last - first + 1);
        var runs = 1 + Enumerable.Range(1, touched.Count - 1).Count(i => touched[i] != touched[i - 1] + 1);
        Assert.Equal(runs, PhyrArray.Build(layout.Ranges).Entries);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Entries_never_increase_when_max_segment_grows(LayoutCase c, PositiveInt i, PositiveInt j)
    {
        var layout = c.Build();
        var segs = Cases.MaxSegments;
        var small = Math.Min(segs[i.Get % segs.Length], segs[j.Get % segs.Length]);
        var large = Math.Max(segs[i.Get % segs.Length], segs[j.Get % segs.Length]);
        foreach (var name in new[] { "scatterlist", "phys-vec", "nvme-sgl" })
        {
            var format = DescriptorFormat.Get(name);
            var atSmall = format.Build(layout.Ranges, new DescriptorOptions(small)).Entries;
            var atLarge = format.Build(layout.Ranges, new DescriptorOptions(large)).Entries;
            Assert.True(atLarge <= atSmall, $"{name}: {atLarge} entries at max_segment {large} > {atSmall} at {small}");
        }
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void No_format_has_fewer_entries_than_phyr_except_page_split_free_ones(LayoutCase c)
    {
        // A phyr is a maximal contiguous range: any correct format needs at least one entry per range.
        var layout = c.Build();
        var phyrs = PhyrArray.Build(layout.Ranges).Entries;
        foreach (var format in DescriptorFormat.All)
            Assert.True(format.Build(layout.Ranges, Options).Entries >= phyrs, format.Name);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Packed_list_round_trips_any_byte_ranges(RangesCase c)
    {
        var packed = PackedPhyrList.Build(c.Ranges);
        Assert.Equal(PhysRanges.Normalize(c.Ranges).ToArray(), PhysRanges.Normalize(packed.Decode()).ToArray());
        Assert.Equal(PhysRanges.Normalize(c.Ranges).Length, packed.Entries);
        Assert.True(packed.MinAlignment >= 1 && ulong.IsPow2(packed.MinAlignment));
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Byte_granular_formats_round_trip_any_byte_ranges(RangesCase c)
    {
        var expected = PhysRanges.Normalize(c.Ranges);
        Assert.Equal(expected.ToArray(), PhysRanges.Normalize(PhyrArray.Build(c.Ranges).Decode()).ToArray());
        Assert.Equal(expected.ToArray(), PhysRanges.Normalize(BioVecArray.Build(c.Ranges).Decode()).ToArray());
        Assert.Equal(expected.ToArray(), PhysRanges.Normalize(PhysVecArray.Build(c.Ranges).Decode()).ToArray());
        Assert.Equal(expected.ToArray(), PhysRanges.Normalize(NvmeSgl.Build(c.Ranges).Decode()).ToArray());
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Packed_list_picks_the_smallest_encoding_per_run(LayoutCase c)
    {
        var layout = c.Build();
        var packed = PackedPhyrList.Build(layout.Ranges);
        foreach (var entry in PackedPhyrList.Entry.Parse(packed.List))
        {
            var pfn = entry.Range.Addr >> Page.Shift;
            var pages = entry.Range.Len >> Page.Shift;
            var blocks = NaturalBlock.Count(pfn, pages);
            Assert.Equal(blocks == 1 ? 8 : 12, entry.Size);
        }
        Assert.True(packed.Bytes <= 32 + PowerOfTwoList.Build(layout.Ranges).Bytes);
    }

    [Property(MaxTest = 500)]
    public void Natural_blocks_are_aligned_maximal_and_cover_the_run(ushort start, byte length)
    {
        var count = (ulong)length + 1;
        var blocks = NaturalBlock.Split(start, count).ToList();
        var pfn = (ulong)start;
        foreach (var b in blocks)
        {
            Assert.Equal(pfn, b.Pfn);
            Assert.Equal(0UL, b.Pfn & (b.Pages - 1));
            // Greedy: the next order up is either misaligned or does not fit.
            var bigger = b.Pages * 2;
            Assert.True((b.Pfn & (bigger - 1)) != 0 || b.Pfn + bigger > start + count);
            pfn += b.Pages;
        }
        Assert.Equal(start + count, pfn);
    }
}

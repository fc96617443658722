using Phyr.Tests.Shared;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Memory;

public class LayoutTests
{
    private static PhysRange R(ulong addr, ulong len) => new(addr, len);

    [Fact]
    public void A_run_of_frames_is_twelve_bytes_and_refuses_a_count_it_cannot_hold()
    {
        Assert.Equal(12, System.Runtime.CompilerServices.Unsafe.SizeOf<FrameRun>()); // a terabyte's layout: 2^28 of them
        var run = new FrameRun(1UL << 40, uint.MaxValue);
        Assert.Equal(((1UL << 40), (ulong)uint.MaxValue, (1UL << 40) + uint.MaxValue), (run.Start, run.Count, run.End));
        Assert.Equal(new FrameRun(5, 3), new FrameRun(5, 2) with { Count = 3 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameRun(0, 1UL << 32));
    }

    [Fact]
    public void Runs_parse_numbers_and_inclusive_ranges_in_order()
    {
        Assert.Equal([new FrameRun(3, 8)], RunList.Parse("3-10"));
        Assert.Equal([new FrameRun(0, 1), new FrameRun(2, 1), new FrameRun(1, 1)], RunList.Parse("0,2,1"));
        Assert.Equal([new FrameRun(0, 2), new FrameRun(3, 2)], RunList.Parse(" 0-1 , 3-4 "));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("1,,2", "empty item")]
    [InlineData("x", "'x' is not a frame number")]
    [InlineData("10-3", "ends before it starts")]
    [InlineData("-3", "'' is not a frame number")]
    [InlineData("1.5", "'1.5' is not a frame number")]
    [InlineData("99999999999999999999", "is not a frame number")]
    public void Bad_runs_name_the_problem(string text, string expected)
    {
        var e = Assert.Throws<LayoutException>(() => RunList.Parse(text));
        Assert.Equal("runs", e.Field);
        Assert.Contains(expected, e.Problem);
    }

    [Fact]
    public void Non_monotonic_frames_are_separate_ranges()
    {
        var layout = PhysLayout.Create(FrameSize.Base, RunList.Parse("0,2,1"));
        Assert.Equal([R(0, 4096), R(8192, 4096), R(4096, 4096)], layout.Ranges.AsEnumerable());
    }

    [Fact]
    public void Adjacent_runs_merge_into_one_range()
    {
        var layout = PhysLayout.Create(FrameSize.Base, RunList.Parse("0-1,2-3"));
        Assert.Equal([R(0, 4 * 4096)], layout.Ranges.AsEnumerable());
    }

    [Fact]
    public void Offset_and_length_slice_the_frames()
    {
        var layout = PhysLayout.Create(FrameSize.Base, RunList.Parse("5,9"), offset: 100, length: 5000);
        Assert.Equal([R(5 * 4096 + 100, 3996), R(9 * 4096, 1004)], layout.Ranges.AsEnumerable());
        Assert.Equal(5000UL, layout.Length);
    }

    [Fact]
    public void One_byte_buffer()
    {
        var layout = PhysLayout.Create(FrameSize.Pud, RunList.Parse("3"), offset: 12345, length: 1);
        Assert.Equal([R((3UL << 30) + 12345, 1)], layout.Ranges.AsEnumerable());
    }

    [Fact]
    public void Length_defaults_to_everything_after_the_offset()
    {
        var layout = PhysLayout.Create(FrameSize.Pmd, RunList.Parse("1-2"), offset: 4096);
        Assert.Equal((4UL << 20) - 4096, layout.Length);
    }

    [Theory]
    [InlineData(0UL, 0UL, "length", "at least 1 byte")]
    [InlineData(0UL, 8193UL, "length", "goes past the end")]
    [InlineData(8192UL, null, "offset", "is not inside the layout")]
    public void Window_errors_name_the_field(ulong offset, ulong? length, string field, string expected)
    {
        var e = Assert.Throws<LayoutException>(() => PhysLayout.Create(FrameSize.Base, RunList.Parse("0-1"), offset, length));
        Assert.Equal(field, e.Field);
        Assert.Contains(expected, e.Problem);
    }

    [Fact]
    public void Frames_beyond_52_bit_physical_addresses_are_refused()
    {
        var e = Assert.Throws<LayoutException>(() => PhysLayout.Create(FrameSize.Pud, [new FrameRun(1UL << 22, 1)]));
        Assert.Contains("52-bit", e.Problem);
    }

    [Fact]
    public void Pfn_file_skips_comments_and_blank_lines()
    {
        var frames = PfnFile.Parse(new StringReader("# header\n\n12\n13 # trailing\n  7\n"), "x.pfn");
        Assert.Equal([12UL, 13UL, 7UL], frames);
    }

    [Fact]
    public void Pfn_file_errors_name_file_and_line()
    {
        var e = Assert.Throws<LayoutException>(() => PfnFile.Parse(new StringReader("1\n2\nabc\n"), "x.pfn"));
        Assert.Equal("x.pfn:3", e.Field);
        Assert.Contains("'abc'", e.Problem);
        var empty = Assert.Throws<LayoutException>(() => PfnFile.Parse(new StringReader("# nothing\n"), "x.pfn"));
        Assert.Contains("no frame numbers", empty.Problem);
    }

    [Fact]
    public void Real_pagemap_layout_reads_with_its_runs()
    {
        var frames = PfnFile.Read(RepoPaths.Layout("pagemap-anon-64m-seq.pfn"));
        Assert.Equal(16384, frames.Count);
        var layout = PhysLayout.FromFrameNumbers(FrameSize.Base, frames);
        Assert.Equal(64UL << 20, layout.Length);
        var breaks = 1 + Enumerable.Range(1, frames.Count - 1).Count(i => frames[i] != frames[i - 1] + 1);
        Assert.Equal(breaks, layout.Ranges.Length);
    }
}

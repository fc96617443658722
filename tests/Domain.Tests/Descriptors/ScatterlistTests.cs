using FsCheck.Xunit;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Descriptors.Scatterlist;
using Phyr.Domain.Memory;
using Phyr.Domain.Tests.Generators;
using Phyr.Domain.Tests.Kernel;

namespace Phyr.Domain.Tests.Descriptors;

/// <summary>sg_alloc_(append_)table_from_pages: the kernel's own cases, then the run-based model vs a literal port.</summary>
public class ScatterlistTests
{
    private const uint P = 4096;
    private const uint SgMax = uint.MaxValue;

    private static PageSpan Pages(ulong size, params ulong[] pfns) => PageSpan.FromPfns(pfns, 0, size);

    /// <summary>The table of tools/testing/scatterlist/main.c: pfns, appended pfns, size, max_segment, expected nents.</summary>
    public static TheoryData<ulong[], ulong[]?, ulong, uint, long> KernelCases => new()
    {
        { [0], null, P, P + 1, 1 },
        { [0], null, P, SgMax, 1 },
        { [0], null, 1, SgMax, 1 },
        { [0, 1], null, 2 * P, SgMax, 1 },
        { [1, 0], null, 2 * P, SgMax, 2 },
        { [0, 1, 2], null, 3 * P, SgMax, 1 },
        { [0, 1, 2], [3, 4, 5], 3 * P, SgMax, 1 },
        { [0, 1, 2], [4, 5, 6], 3 * P, SgMax, 2 },
        { [0, 2, 1], null, 3 * P, SgMax, 3 },
        { [0, 1, 3], null, 3 * P, SgMax, 2 },
        { [1, 2, 4], null, 3 * P, SgMax, 2 },
        { [1, 3, 4], null, 3 * P, SgMax, 2 },
        { [0, 1, 3, 4], null, 4 * P, SgMax, 2 },
        { [0, 1, 3, 4, 5], null, 5 * P, SgMax, 2 },
        { [0, 1, 3, 4, 6], null, 5 * P, SgMax, 3 },
        { [0, 1, 2, 3, 4], null, 5 * P, SgMax, 1 },
        { [0, 1, 2, 3, 4], null, 5 * P, 2 * P, 3 },
        { [0, 1, 2, 3, 4, 5], null, 6 * P, 2 * P, 3 },
        { [0, 2, 3, 4, 5, 6], null, 6 * P, 2 * P, 4 },
        { [0, 1, 3, 4, 5, 6], null, 6 * P, 2 * P, 3 },
    };

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void Kernel_scatterlist_test_table(ulong[] pfns, ulong[]? appended, ulong size, uint maxSeg, long expected)
    {
        var table = SgAppendTable.Empty.AppendFromPages(Pages(size, pfns), maxSeg, appended is null ? 0 : (ulong)pfns.Length);
        if (appended is not null) table = table.AppendFromPages(Pages(size, appended), maxSeg, 0);
        Assert.Equal(expected, table.Nents);
        Assert.Equal(expected, table.Segments().Count());
    }

    [Fact]
    public void Max_segment_below_a_page_is_EINVAL()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SgAppendTable.Empty.AppendFromPages(Pages(P, 0), 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SgAppendTable.Empty.AppendFromPages(Pages(P, 0), P - 1, 0));
    }

    [Fact]
    public void Only_the_first_segment_carries_the_offset_and_the_last_is_trimmed()
    {
        var sg = SgTable.FromPages(PageSpan.FromPfns([10, 11, 20], 100, 2 * P + 50));
        Assert.Equal([new PhysRange(10 * P + 100, 2 * P - 100), new PhysRange(20 * P, 150)], sg.Decode());
    }

    [Fact]
    public void Segment_never_exceeds_max_segment_even_with_an_offset()
    {
        var sg = SgTable.FromPages(PageSpan.FromPfns([0, 1, 2, 3], 100, 4 * P - 100), 2 * P);
        Assert.Equal([new PhysRange(100, 2 * P - 100), new PhysRange(2 * P, 2 * P)], sg.Decode());
    }

    [Fact]
    public void One_page_max_segment_gives_one_entry_per_page()
    {
        var sg = SgTable.Build(PhysLayout.Create(FrameSize.Base, RunList.Parse("0-99")).Ranges, P);
        Assert.Equal(100, sg.Entries);
    }

    [Fact]
    public void Chaining_allocates_128_slot_chunks_with_127_data_entries_each()
    {
        // 300 discontiguous pages: chunks of 128, 128, 46 -> 127 + 127 + 46 = 300 entries, 2 chain links.
        var pfns = Enumerable.Range(0, 300).Select(i => (ulong)i * 2).ToArray();
        var sg = SgTable.FromPages(PageSpan.FromPfns(pfns, 0, 300 * P));
        Assert.Equal(300, sg.Entries);
        Assert.Equal([128, 128, 46], sg.Table.Chunks);
        Assert.Equal(300, sg.Table.TotalNents);
        Assert.Equal(16 + 302 * 32, sg.Bytes);
    }

    [Fact]
    public void Exactly_128_entries_fit_one_chunk()
    {
        var pfns = Enumerable.Range(0, 128).Select(i => (ulong)i * 2).ToArray();
        var sg = SgTable.FromPages(PageSpan.FromPfns(pfns, 0, 128 * P));
        Assert.Equal([128], sg.Table.Chunks);
    }

    [Fact]
    public void Ib_umem_style_appends_allocate_ahead_for_the_pages_left()
    {
        // 1024 discontiguous pages appended 512 at a time with left_pages = what follows.
        var pfns = Enumerable.Range(0, 1024).Select(i => (ulong)i * 2).ToArray();
        var table = SgAppendTable.Empty
            .AppendFromPages(PageSpan.FromPfns(pfns[..512], 0, 512 * P), SgTable.DefaultMaxSegment, 512)
            .AppendFromPages(PageSpan.FromPfns(pfns[512..], 0, 512 * P), SgTable.DefaultMaxSegment, 0);
        Assert.Equal(1024, table.Nents);
        Assert.Equal(1024, table.TotalNents);
        // Eight full chunks of 127 data entries + a link, then the last 8 entries in a chunk of exactly 8.
        Assert.Equal([128, 128, 128, 128, 128, 128, 128, 128, 8], table.Chunks);
        Assert.True(table.Ended);
        Assert.Throws<InvalidOperationException>(() =>
            table.AppendFromPages(PageSpan.FromPfns([5000], 0, P), SgTable.DefaultMaxSegment, 0));
    }

    [Fact]
    public void Append_merges_into_the_last_entry_only_up_to_max_segment()
    {
        var table = SgAppendTable.Empty
            .AppendFromPages(PageSpan.FromPfns([0, 1], 0, 2 * P), 3 * P, 3)
            .AppendFromPages(PageSpan.FromPfns([2, 3, 4], 0, 3 * P), 3 * P, 0);
        Assert.Equal([new PhysRange(0, 3 * P), new PhysRange(3 * P, 2 * P)], table.Segments());
        Assert.Equal(2, table.Nents);
    }

    [Fact]
    public void Append_with_an_offset_after_the_first_call_is_EINVAL()
    {
        var table = SgAppendTable.Empty.AppendFromPages(PageSpan.FromPfns([0], 0, P), SgTable.DefaultMaxSegment, 1);
        Assert.Throws<ArgumentException>(() => table.AppendFromPages(PageSpan.FromPfns([1], 8, P - 8), SgTable.DefaultMaxSegment, 0));
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Run_based_table_equals_the_kernel_loop(PagesCase c)
    {
        var kernel = new KernelSgAppendTable();
        Assert.Equal(0, kernel.Append(c.Pfns, c.Offset, c.Size, c.MaxSegment, 0));
        var ours = SgTable.FromPages(PageSpan.FromPfns(c.Pfns, c.Offset, c.Size), c.MaxSegment);

        Assert.Equal(kernel.Nents, ours.Entries);
        Assert.Equal(kernel.TotalNents, ours.Table.TotalNents);
        Assert.Equal(kernel.ChunkSizes, ours.Table.Chunks);
        Assert.Equal(kernel.Entries().Select(e => new PhysRange(e.Addr, e.Len)), ours.Decode());
        Assert.Equal(ours.Decode().Last(), ours.Table.Last);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Appending_in_batches_equals_the_kernel_loop(PagesCase c)
    {
        // As ib_umem_get does: whole pages, offset 0, left_pages = pages still to come.
        var kernel = new KernelSgAppendTable();
        var ours = SgAppendTable.Empty;
        for (var i = 0; i < c.Pfns.Length; i += c.Batch)
        {
            var batch = c.Pfns[i..Math.Min(c.Pfns.Length, i + c.Batch)];
            var left = (uint)(c.Pfns.Length - i - batch.Length);
            Assert.Equal(0, kernel.Append(batch, 0, (ulong)batch.Length * P, c.MaxSegment, left));
            ours = ours.AppendFromPages(PageSpan.FromPfns(batch, 0, (ulong)batch.Length * P), c.MaxSegment, left);
        }
        Assert.Equal(kernel.Nents, ours.Nents);
        Assert.Equal(kernel.TotalNents, ours.TotalNents);
        Assert.Equal(kernel.ChunkSizes, ours.Chunks);
        Assert.Equal(kernel.Entries().Select(e => new PhysRange(e.Addr, e.Len)), ours.Segments());
        Assert.Equal(ours.Segments().Last(), ours.Last);
    }
}

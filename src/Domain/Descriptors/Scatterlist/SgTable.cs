using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors.Scatterlist;

/// <summary>
/// A scatterlist built by <c>sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset, size,
/// max_segment)</c> (lib/scatterlist.c): in the kernel a single append call with left_pages = 0,
/// here the same. Bytes are the <c>struct sg_table</c> plus every allocated slot (chain links included).
/// </summary>
public sealed record SgTable(SgAppendTable Table) : Descriptor
{
    public const string FormatName = "scatterlist";

    /// <summary>UINT_MAX rounded down to a page: what callers without a device limit pass.</summary>
    public const ulong DefaultMaxSegment = 0xFFFFF000;

    public static SgTable FromPages(PageSpan pages, ulong maxSegment = DefaultMaxSegment) =>
        new(SgAppendTable.Empty.AppendFromPages(pages, maxSegment, leftPages: 0));

    public static SgTable Build(IReadOnlyList<PhysRange> ranges, ulong maxSegment = DefaultMaxSegment) =>
        FromPages(PageSpan.FromRanges(ranges, FormatName), maxSegment);

    public override string Name => FormatName;
    public override long Entries => Table.Nents;
    public override long Bytes => DescriptorSizes.SgTable + Table.EntryBytes;

    public override string Accounting =>
        $"sg_table {DescriptorSizes.SgTable} + {Table.SlotsAllocated} slots x {DescriptorSizes.Scatterlist}" +
        (Table.ChainSlots > 0 ? $" ({Table.Chunks.Count} chunks, {Table.ChainSlots} chain)" : "");

    public override IEnumerable<PhysRange> Decode() => Table.Segments();
}

using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// iommufd's <c>struct pfn_batch</c> (drivers/iommu/iommufd/pages.c): parallel <c>pfns[]</c> and u32
/// <c>npfns[]</c>. <c>batch_add_pfn()</c> grows the last entry while the new pfn is last pfn + last
/// count and npfns does not overflow, otherwise starts an entry. Whole pages: the byte window is the
/// area's (the caller's), as for a page array.
/// </summary>
public sealed record PfnBatch(PageSpan Span) : Descriptor
{
    public const string FormatName = "pfn-batch";

    public static PfnBatch Build(IReadOnlyList<PhysRange> ranges) => new(PageSpan.FromRanges(ranges, FormatName));

    public override string Name => FormatName;

    public override long Entries =>
        Span.Runs.Aggregate(0L, (n, r) => n + (long)((r.Count + uint.MaxValue - 1) / uint.MaxValue));

    public override long Bytes => checked(DescriptorSizes.PfnBatchHeader + Entries * DescriptorSizes.PfnBatchEntry);
    public override string Accounting => $"pfn_batch {DescriptorSizes.PfnBatchHeader} + {Entries} x {DescriptorSizes.PfnBatchEntry}";

    /// <summary>The (pfn, npfns) entries.</summary>
    public IEnumerable<FrameRun> Batch()
    {
        foreach (var r in Span.Runs)
            for (ulong k = 0; k < r.Count; k += uint.MaxValue)
                yield return new FrameRun(r.Start + k, Math.Min(uint.MaxValue, r.Count - k));
    }

    public override IEnumerable<PhysRange> Decode() =>
        PhysRanges.Slice(Batch().Select(e => new PhysRange(e.Start << Page.Shift, e.Count << Page.Shift)), Span.FirstOffset, Span.Length);
}

using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// The power-of-two scheme Wilcox argues against: each contiguous run split greedily into naturally
/// aligned 2^k-page blocks, one 8-byte word (pfn + order) each. With 1 GiB pages 3..10 that is four
/// entries (3, 4-7, 8-9, 10) where one phyr does. Whole pages: the byte window is the caller's.
/// </summary>
public sealed record PowerOfTwoList(PageSpan Span) : Descriptor
{
    public const string FormatName = "power-of-two";

    public static PowerOfTwoList Build(IReadOnlyList<PhysRange> ranges) => new(PageSpan.FromRanges(ranges, FormatName));

    public override string Name => FormatName;
    public override long Entries => Span.Runs.Aggregate(0L, (n, r) => n + NaturalBlock.Count(r.Start, r.Count));
    public override long Bytes => checked(Entries * DescriptorSizes.PowerOfTwoEntry);
    public override string Accounting => $"{Entries} x {DescriptorSizes.PowerOfTwoEntry}";

    public IEnumerable<NaturalBlock> Blocks() => Span.Runs.SelectMany(r => NaturalBlock.Split(r.Start, r.Count));

    public override IEnumerable<PhysRange> Decode() =>
        PhysRanges.Slice(Blocks().Select(b => new PhysRange(b.Pfn << Page.Shift, b.Pages << Page.Shift)), Span.FirstOffset, Span.Length);
}

using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// The <c>struct page *</c> array that <c>pin_user_pages()</c> fills: one 8-byte pointer per 4 KiB
/// page, whatever the folio size (a 1 GiB page is 262,144 entries). The offset into the first page
/// and the length live with the caller, not in the array.
/// </summary>
public sealed record PageArray(PageSpan Span) : Descriptor
{
    public const string FormatName = "page-array";

    public static PageArray Build(IReadOnlyList<PhysRange> ranges) => new(PageSpan.FromRanges(ranges, FormatName));

    public override string Name => FormatName;
    public override long Entries => checked((long)Span.Pages);
    public override long Bytes => checked(Entries * DescriptorSizes.PagePointer);
    public override string Accounting => $"{Entries} x {DescriptorSizes.PagePointer}";
    public override IEnumerable<PhysRange> Decode() => Span.ToRanges();
}

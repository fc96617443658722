using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// NVMe Physical Region Page entries (nvme_pci_setup_prps): one 8-byte address per 4 KiB controller
/// page touched; only PRP1 may carry an offset. PRP1 and PRP2 sit in the command (DPTR); with three or
/// more pages PRP2 points to a list holding pages 2..n (<see cref="NvmeListPages"/>: 512 slots a page,
/// the last chaining). Addresses are physical (no IOMMU). NVMe's own rules on the transfer (dword
/// aligned offset, LBA-multiple length, MDTS) are not checked: this counts the description.
/// </summary>
public sealed record NvmePrp(PageSpan Span) : Descriptor
{
    public const string FormatName = "nvme-prp";

    public static NvmePrp Build(IReadOnlyList<PhysRange> ranges) => new(PageSpan.FromRanges(ranges, FormatName));

    public override string Name => FormatName;
    public override long Entries => checked((long)Span.Pages);
    public NvmeListPages List => NvmeListPages.For(Entries >= 3 ? Entries - 1 : 0, DescriptorSizes.NvmePrpEntry);
    public override long Bytes => checked(DescriptorSizes.NvmeDptr + List.Bytes);
    public override string Accounting => $"DPTR {DescriptorSizes.NvmeDptr} + {List.Describe()}";

    /// <summary>The PRP entries in order: PRP1 (with the offset), then one per following page.</summary>
    public IEnumerable<ulong> PrpEntries() => Span.Pfns().Select((pfn, i) => (pfn << Page.Shift) + (i == 0 ? Span.FirstOffset : 0));

    public override IEnumerable<PhysRange> Decode() =>
        PhysRanges.Slice(PrpEntries().Select(a => new PhysRange(Page.AlignDown(a), Page.Size)), Span.FirstOffset, Span.Length);
}

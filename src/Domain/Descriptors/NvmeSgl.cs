using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// NVMe Scatter Gather List: one 16-byte data block descriptor {addr, u32 len, type} per DMA segment
/// (the request's phys_vecs, <see cref="PhysVecArray"/>). A single descriptor sits in the command's
/// DPTR; more go to a list whose address the DPTR holds as a segment descriptor: the 256-byte pool up
/// to 16 descriptors, else 4 KiB pages of 256 slots, the last slot of a full page a segment descriptor
/// chaining to the next (nvme_pci_setup_sgls).
/// </summary>
public sealed record NvmeSgl(PhysVecArray Segments) : Descriptor
{
    public const string FormatName = "nvme-sgl";

    public static NvmeSgl Build(IReadOnlyList<PhysRange> ranges, ulong maxSegment = Scatterlist.SgTable.DefaultMaxSegment) =>
        new(PhysVecArray.Build(ranges, maxSegment));

    public override string Name => FormatName;
    public override long Entries => Segments.Entries;
    public NvmeListPages List => NvmeListPages.For(Entries >= 2 ? Entries : 0, DescriptorSizes.NvmeSglDescriptor);
    public override long Bytes => checked(DescriptorSizes.NvmeDptr + List.Bytes);
    public override string Accounting => $"DPTR {DescriptorSizes.NvmeDptr} + {List.Describe()}";
    public override IEnumerable<PhysRange> Decode() => Segments.Decode();
}

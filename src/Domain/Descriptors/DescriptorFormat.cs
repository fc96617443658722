using Phyr.Domain.Descriptors.Scatterlist;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>Parameters the formats share. max_segment is the device's limit (scatterlist, phys_vec, NVMe SGL).</summary>
public sealed record DescriptorOptions(ulong MaxSegment = SgTable.DefaultMaxSegment)
{
    public static readonly DescriptorOptions Default = new();
}

/// <summary>One descriptor format: its name and how to describe a buffer in it.</summary>
public sealed record DescriptorFormat(string Name, string Summary, Func<IReadOnlyList<PhysRange>, DescriptorOptions, Descriptor> Build)
{
    /// <summary>Every format of DESIGN.md §2, in the order the CLI reports them.</summary>
    public static IReadOnlyList<DescriptorFormat> All { get; } =
    [
        new(PageArray.FormatName, "struct page * per 4 KiB page (pin_user_pages)", (r, _) => PageArray.Build(r)),
        new(SgTable.FormatName, "sg_alloc_table_from_pages_segment, 32-byte entries, 128-slot chunks", (r, o) => SgTable.Build(r, o.MaxSegment)),
        new(BioVecArray.FormatName, "multi-page bio_vec, u32 length", (r, _) => BioVecArray.Build(r)),
        new(PhyrArray.FormatName, "struct phyr {addr, len} per contiguous range", (r, _) => PhyrArray.Build(r)),
        new(PhysVecArray.FormatName, "blk-mq-dma phys_vec {paddr, u32 len}", (r, o) => PhysVecArray.Build(r, o.MaxSegment)),
        new(PfnBatch.FormatName, "iommufd pfn_batch: pfns[] + u32 npfns[]", (r, _) => PfnBatch.Build(r)),
        new(PackedPhyrList.FormatName, "Gunthorpe's phyr_list, 8/12/16-byte entries", (r, _) => PackedPhyrList.Build(r)),
        new(PowerOfTwoList.FormatName, "naturally aligned 2^k-page blocks, 8 bytes each", (r, _) => PowerOfTwoList.Build(r)),
        new(NvmePrp.FormatName, "NVMe PRP: 8 bytes per 4 KiB controller page, chained list pages", (r, _) => NvmePrp.Build(r)),
        new(NvmeSgl.FormatName, "NVMe SGL: 16-byte data block per segment, chained segments", (r, o) => NvmeSgl.Build(r, o.MaxSegment)),
    ];

    public static DescriptorFormat Get(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new ArgumentException($"unknown descriptor format '{name}' (known: {string.Join(", ", All.Select(f => f.Name))})", nameof(name));

    /// <summary>Re-describes a descriptor's bytes in this format.</summary>
    public Descriptor Convert(Descriptor from, DescriptorOptions? options = null) =>
        Build([.. from.Decode()], options ?? DescriptorOptions.Default);
}

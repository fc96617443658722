namespace Phyr.Domain.Descriptors;

/// <summary>Sizes of the kernel structures on x86-64 (DESIGN.md §2), in bytes.</summary>
public static class DescriptorSizes
{
    /// <summary><c>struct page *</c>: one per 4 KiB page in a page array.</summary>
    public const int PagePointer = 8;

    /// <summary><c>struct scatterlist</c> with CONFIG_NEED_SG_DMA_LENGTH (x86): page_link, offset, length, dma_address, dma_length.</summary>
    public const int Scatterlist = 32;

    /// <summary><c>struct sg_table</c>: sgl, nents, orig_nents.</summary>
    public const int SgTable = 16;

    /// <summary><c>struct sg_append_table</c>: sgt, prv, total_nents.</summary>
    public const int SgAppendTable = 32;

    /// <summary>SG_MAX_SINGLE_ALLOC = PAGE_SIZE / sizeof(struct scatterlist): slots per chunk.</summary>
    public const int SgMaxSingleAlloc = 4096 / Scatterlist;

    /// <summary><c>struct bio_vec</c>: bv_page, bv_len (u32), bv_offset (u32).</summary>
    public const int BioVec = 16;

    /// <summary><c>struct phyr</c>: phys_addr_t addr, size_t len.</summary>
    public const int Phyr = 16;

    /// <summary><c>struct phys_vec</c> (block/blk-mq-dma.c): phys_addr_t paddr, u32 len, padded to 16.</summary>
    public const int PhysVec = 16;

    /// <summary>iommufd <c>struct pfn_batch</c> entry: pfns[i] (unsigned long) + npfns[i] (u32), parallel arrays.</summary>
    public const int PfnBatchEntry = 12;

    /// <summary><c>struct pfn_batch</c>: pfns, npfns pointers, array_size, end, total_pfns (28, aligned to 32).</summary>
    public const int PfnBatchHeader = 32;

    /// <summary>Gunthorpe's <c>struct phyr_list</c>: first_page_offset_bytes (+pad), total_length_bytes, min_alignment, list.</summary>
    public const int PhyrListHeader = 32;

    /// <summary>One naturally aligned power-of-two block: pfn and order in one 64-bit word.</summary>
    public const int PowerOfTwoEntry = 8;

    /// <summary>NVMe command data pointer (DPTR): PRP1 + PRP2, or one SGL descriptor.</summary>
    public const int NvmeDptr = 16;

    /// <summary>NVMe PRP entry: one 64-bit address per controller page.</summary>
    public const int NvmePrpEntry = 8;

    /// <summary>NVMe SGL descriptor (data block or segment): address, u32 length, type.</summary>
    public const int NvmeSglDescriptor = 16;

    /// <summary>nvme-pci's DMA pools: 256-byte small pool, and a 4 KiB page pool (NVME_CTRL_PAGE_SIZE).</summary>
    public const int NvmeSmallPool = 256;
    public const int NvmePagePool = 4096;
}

namespace Phyr.Domain.Descriptors;

/// <summary>
/// How nvme-pci allocates a PRP or SGL list (drivers/nvme/host/pci.c): from the 256-byte small pool
/// when the list fits in it, else from the 4 KiB page pool, one page at a time; when a page fills and
/// more entries follow, its last slot is moved to the next page and replaced by a link to it.
/// So a full page holds slots-1 data entries, and the last page up to slots.
/// </summary>
public readonly record struct NvmeListPages(long ListEntries, bool SmallPool, long Pages, int SlotsPerPage)
{
    public static NvmeListPages For(long listEntries, int entryBytes)
    {
        if (listEntries <= 0) return new NvmeListPages(0, false, 0, 0);
        var slots = DescriptorSizes.NvmePagePool / entryBytes;
        if (listEntries <= DescriptorSizes.NvmeSmallPool / entryBytes)
            return new NvmeListPages(listEntries, true, 1, DescriptorSizes.NvmeSmallPool / entryBytes);
        var pages = listEntries <= slots ? 1 : 1 + (listEntries - slots + slots - 2) / (slots - 1);
        return new NvmeListPages(listEntries, false, pages, slots);
    }

    public long Bytes => SmallPool ? DescriptorSizes.NvmeSmallPool : Pages * DescriptorSizes.NvmePagePool;
    public long Links => SmallPool ? 0 : Math.Max(0, Pages - 1);

    public string Describe() =>
        Pages == 0 ? "no list"
        : SmallPool ? $"small-pool list {DescriptorSizes.NvmeSmallPool}"
        : $"{Pages} list page{(Pages > 1 ? "s" : "")} x {DescriptorSizes.NvmePagePool}" + (Links > 0 ? $" ({Links} chain)" : "");
}

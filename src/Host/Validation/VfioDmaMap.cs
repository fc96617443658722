using Phyr.Domain.Mm;

namespace Phyr.Host.Validation;

/// <summary>
/// Alex Williamson's vfio-pci-mem-dma-map test (github awilliam/tests) as a workload: <c>vfio-pci-mem-dma-map DEVICE GB
/// (SECTION)</c>, SECTION the output section a figure comes from — MADV_HUGEPAGE (anonymous memory with THP), MAP_POPULATE
/// (MAP_SHARED|MAP_ANONYMOUS: 4 KiB shmem pages, modelled as anonymous ones) or HUGETLBFS [2M|1G] — each buffer populated
/// before the timed VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA of the whole of it.
/// </summary>
public sealed record VfioDmaMap(ulong Bytes, Backing Backing, string? Problem = null, bool Populated = false)
{
    private static readonly Dictionary<string, Backing> Sections = new()
    {
        ["MADV_HUGEPAGE"] = Backing.Thp, ["MAP_POPULATE"] = Backing.Anon4K, ["HUGETLBFS"] = Backing.Hugetlb2M,
        ["HUGETLBFS 2M"] = Backing.Hugetlb2M, ["HUGETLBFS 1G"] = Backing.Hugetlb1G,
    };

    public static VfioDmaMap Parse(string workload)
    {
        var (args, section) = WorkloadText.Split(workload);
        if (section is null || args.Length != 3) return new(0, Backing.Anon4K, $"'{workload}' is not vfio-pci-mem-dma-map DEVICE GB (SECTION)");
        if (WorkloadText.Gigabytes(args[2]) is not { } bytes) return new(0, Backing.Anon4K, $"'{args[2]}' is not a size in GB between 1 and 1024");
        return Sections.TryGetValue(section, out var backing)
            ? new VfioDmaMap(bytes, backing, Populated: section == "MAP_POPULATE")
            : new(0, Backing.Anon4K, $"section '{section}' is not {string.Join(", ", Sections.Keys)}");
    }
}

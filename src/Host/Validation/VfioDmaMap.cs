using System.Globalization;
using Phyr.Domain.Mm;

namespace Phyr.Host.Validation;

/// <summary>
/// Alex Williamson's vfio-pci-mem-dma-map test (github awilliam/tests) as a workload: <c>vfio-pci-mem-dma-map DEVICE GB
/// (SECTION)</c>, SECTION the output section a figure comes from — MADV_HUGEPAGE (anonymous memory with THP), MAP_POPULATE
/// (MAP_SHARED|MAP_ANONYMOUS: 4 KiB shmem pages, modelled as anonymous ones) or HUGETLBFS [2M|1G] — each buffer populated
/// before the timed VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA of the whole of it.
/// </summary>
public sealed record VfioDmaMap(ulong Bytes, Backing Backing, string? Problem = null)
{
    public static VfioDmaMap Parse(string workload)
    {
        static VfioDmaMap Bad(string problem) => new(0, Backing.Anon4K, problem);
        var open = workload.IndexOf('(');
        var close = workload.IndexOf(')');
        if (open < 0 || close < open) return Bad($"'{workload}' does not name its output section: vfio-pci-mem-dma-map DEVICE GB (SECTION)");
        var args = workload[..open].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (args.Length != 3) return Bad($"'{workload}' is not vfio-pci-mem-dma-map DEVICE GB (SECTION)");
        if (!ulong.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gb) || gb is 0 or > 1024)
            return Bad($"'{args[2]}' is not a size in GB between 1 and 1024");
        Backing? backing = workload[(open + 1)..close].Trim() switch
        {
            "MADV_HUGEPAGE" => Backing.Thp,
            "MAP_POPULATE" => Backing.Anon4K,
            "HUGETLBFS" or "HUGETLBFS 2M" => Backing.Hugetlb2M,
            "HUGETLBFS 1G" => Backing.Hugetlb1G,
            _ => null,
        };
        return backing is null
            ? Bad($"section '{workload[(open + 1)..close]}' is not MADV_HUGEPAGE, MAP_POPULATE, HUGETLBFS, HUGETLBFS 2M or HUGETLBFS 1G")
            : new VfioDmaMap(gb << 30, backing.Value);
    }
}

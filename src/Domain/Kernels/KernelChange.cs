using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Kernels;

/// <summary>
/// A mainline commit that changed how the pin path works: from <see cref="Since"/> on, the feature switch
/// <see cref="Feature"/> is <see cref="On"/>. A kernel profile (<see cref="KernelProfile"/>) is the switches as the
/// changes up to its version leave them; a before/after patch pair is then two profiles.
/// </summary>
public sealed record KernelChange(KernelVersion Since, string Commit, string Subject, string Feature, bool On)
{
    /// <summary>The changes, in version order (docs/kernels.md has them as a table).</summary>
    public static IReadOnlyList<KernelChange> All { get; } =
    [
        new(new(3, 13), "e009bb30c8df", "mm: implement split page table lock for PMD level", "split-pmd-locks", true),
        new(new(5, 2), "dff824b2aadb", "nvme-pci: optimize mapping of small single segment requests", "nvme-single-segment", true),
        new(new(5, 12), "0fa5bc4023c1", "mm/hugetlb: grab head page refcount once for group of subpages", "hugetlb-head-refcount", true),
        new(new(5, 12), "31b912de1316", "mm/gup: decrement head page once for group of subpages", "unpin-folio-batched", true),
        new(new(5, 12), "4d83de6da265", "vfio/type1: Batch page pinning", "vfio-batch-pin", true),
        new(new(5, 12), "1d4b0166e363", "RDMA/umem: batch page unpin in __ib_umem_release()", "umem-range-unpin", true),
        new(new(5, 13), "83c02c23d074", "mm/gup: check every subpage of a compound page during isolation", "longterm-check-per-page", true),
        new(new(5, 14), "292648ac5cf1", "mm: gup: allow FOLL_PIN to scale in SMP", "has-pinned-write", false),
        new(new(6, 6), "57edfcfd3419", "mm/gup: accelerate thp gup even for \"pages != NULL\"", "thp-slow-batch", true),
        new(new(6, 16), "a03db236aebf", "gup: optimize longterm pin_user_pages() for large folio", "longterm-check-per-page", false),
        new(new(6, 17), "7ce3c1dd78fc", "nvme-pci: convert the data mapping to blk_rq_dma_map", "nvme-dma-iter", true),
        new(new(6, 18), "f6c84a52cc41", "vfio/type1: optimize vfio_pin_pages_remote()", "vfio-contig-batch", true),
        new(new(6, 18), "d14de5b92578", "vfio/type1: optimize vfio_unpin_pages_remote()", "vfio-range-unpin", true),
        new(new(6, 19), "789a5913b29c", "iommu/amd: Use the generic iommu page table", "iommupt", true),
    ];
}

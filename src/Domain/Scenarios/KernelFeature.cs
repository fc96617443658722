namespace Phyr.Domain.Scenarios;

/// <summary>
/// A kernel feature switch: a change to the kernel's pinning path that a patch made, on or off in the simulated
/// kernel, with what it changes and where it comes from. This is the one list of them: scenario and experiment
/// files set them as <c>features.NAME</c>, gup-test as <c>--feature NAME=on|off</c>, and <c>--list-features</c> prints it.
/// </summary>
public sealed record KernelFeature(string Name, string Description, string Source, Func<Scenario, bool> Get, Func<Scenario, bool, Scenario> Set)
{
    /// <summary>The switch's key in scenario and experiment files.</summary>
    public string Key => "features." + Name;

    /// <summary>Its value in a kernel of today (the scenario defaults).</summary>
    public bool Default => Get(Scenario.Defaults);

    public static IReadOnlyList<KernelFeature> All { get; } =
    [
        new("folio-batched-pin", "one refcount/pincount atomic per folio run a call pins, instead of one per page (large folios, THP)",
            "\"mm/gup: grab head page refcount once for group of subpages\" (Joao Martins, Linux 5.12)",
            s => s.Gup.FolioBatchedPin, (s, on) => s with { Gup = s.Gup with { FolioBatchedPin = on } }),
        new("hugetlb-head-refcount", "hugetlb pages: the head page's refcount once per huge page, instead of once per subpage",
            "\"mm/hugetlb: grab head page refcount once for group of subpages\" (Joao Martins, Linux 5.12)",
            s => s.Gup.HugetlbHeadRefcount, (s, on) => s with { Gup = s.Gup with { HugetlbHeadRefcount = on } }),
        new("has-pinned-write", "every pin call writes the mm's MMF_HAS_PINNED flag, a cache line all CPUs share (on: before the check-before-set)",
            "mm_struct.has_pinned / MMF_HAS_PINNED (Peter Xu); mm_set_has_pinned_flag() in mm/gup.c now writes only when unset",
            s => s.HasPinnedWrite, (s, on) => s with { HasPinnedWrite = on }),
        new("thp-slow-batch", "the slow path's lookup of a PMD-mapped THP yields the rest of the PMD in one step (one lock, one grab) instead of one subpage",
            "57edfcfd3419 \"mm/gup: accelerate thp gup even for \"pages != NULL\"\" (Peter Xu, Linux 6.6)",
            s => s.Gup.ThpSlowBatch, (s, on) => s with { Gup = s.Gup with { ThpSlowBatch = on } }),
        new("unpin-folio-batched", "unpin_user_pages puts once per run of pages of one folio instead of once per page",
            "31b912de1316 \"mm/gup: decrement head page once for group of subpages\" (Joao Martins, Linux 5.12)",
            s => s.Gup.UnpinFolioBatched, (s, on) => s with { Gup = s.Gup with { UnpinFolioBatched = on } }),
        new("longterm-check-per-page", "FOLL_LONGTERM's check calls page_folio() on every page of the output, not once per folio",
            "83c02c23d074 \"mm/gup: check every subpage of a compound page during isolation\" (Pavel Tatashin, Linux 5.13) until a03db236aebf \"gup: optimize longterm pin_user_pages() for large folio\" (Li Zhe, Linux 6.16)",
            s => s.Gup.LongtermCheckPerPage, (s, on) => s with { Gup = s.Gup with { LongtermCheckPerPage = on } }),
        new("umem-range-unpin", "ib_umem_release unpins a range per scatterlist entry (unpin_user_page_range_dirty_lock) instead of each page",
            "1d4b0166e363 \"RDMA/umem: batch page unpin in __ib_umem_release()\" (Joao Martins, Linux 5.12)",
            s => s.UmemRangeUnpin, (s, on) => s with { UmemRangeUnpin = on }),
        new("vfio-batch-pin", "VFIO pins a batch of pages per pin_user_pages_remote (the scenario's gup.batch, 512 in the kernel) instead of one page per call",
            "4d83de6da265 \"vfio/type1: Batch page pinning\" (Daniel Jordan, Linux 5.12)",
            s => s.VfioBatchPin, (s, on) => s with { VfioBatchPin = on }),
        new("vfio-contig-batch", "VFIO's pin loop counts a batch's contiguous pages by comparing page pointers, instead of checking every page's struct page (PageReserved) and contiguity",
            "f6c84a52cc41 \"vfio/type1: optimize vfio_pin_pages_remote()\" (Li Zhe, Linux 6.18)",
            s => s.VfioContigBatch, (s, on) => s with { VfioContigBatch = on }),
        new("vfio-range-unpin", "VFIO unpins each unmapped run as one range (unpin_user_page_range_dirty_lock) instead of put_pfn on every page",
            "d14de5b92578 \"vfio/type1: optimize vfio_unpin_pages_remote()\" (Li Zhe, Linux 6.18)",
            s => s.VfioRangeUnpin, (s, on) => s with { VfioRangeUnpin = on }),
        new("iommupt", "the IO page table is the generic one (drivers/iommu/generic_pt): a map call keeps its position across its leaves; the old AMD v1 code walked from the top for each",
            "\"iommupt\" (Jason Gunthorpe, Linux 6.19): 789a5913b29c \"iommu/amd: Use the generic iommu page table\"",
            s => s.IommuPt, (s, on) => s with { IommuPt = on }),
        new("nvme-single-segment", "nvme_map_data maps a request of one physical segment with dma_map_bvec into PRP1/PRP2 or one inline SGL descriptor, without a scatterlist",
            "dff824b2aadb \"nvme-pci: optimize mapping of small single segment requests\" (Christoph Hellwig, Linux 5.2)",
            s => s.Nvme.SingleSegment, (s, on) => s with { Nvme = s.Nvme with { SingleSegment = on } }),
        new("nvme-dma-iter", "nvme-pci maps requests with the DMA iterator (blk_rq_dma_map): the SGL choice divides the payload by one coalesced IOVA range or the physical segments, and one segment PRPs cannot describe takes an inline SGL whatever sgl_threshold",
            "7ce3c1dd78fc \"nvme-pci: convert the data mapping to blk_rq_dma_map\" (Christoph Hellwig, Linux 6.17)",
            s => s.Nvme.DmaIter, (s, on) => s with { Nvme = s.Nvme with { DmaIter = on } }),
        new("per-vma-lock", "what-if: the locked path takes the VMA's own lock instead of mmap_lock (GUP does not; the page-fault path does, since Linux 6.4)",
            "\"Per-VMA locks\" series (Suren Baghdasaryan, Linux 6.4): lock_vma_under_rcu() in the fault handler",
            s => s.Gup.PerVmaLock, (s, on) => s with { Gup = s.Gup with { PerVmaLock = on } }),
        new("split-pmd-locks", "huge-entry locks are per PMD table instead of the mm's page_table_lock",
            "\"mm: implement split page table lock for PMD level\" (Kirill A. Shutemov, Linux 3.13)",
            s => s.SplitPmdLocks, (s, on) => s with { SplitPmdLocks = on }),
    ];

    public static KernelFeature? Find(string name) => All.FirstOrDefault(f => f.Name == name);
}

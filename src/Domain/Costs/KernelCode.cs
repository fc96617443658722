namespace Phyr.Domain.Costs;

/// <summary>
/// The kernel's own instruction work, in core cycles, apart from the memory it touches (which the machine prices): the
/// only fitted parameters of the model (GUP's lookup and loop iteration, the IO page table's map and unmap calls), set from the calibration set of <c>phyr validate</c> (config/validation,
/// docs/validation.md) and used unchanged for every other case and machine: fewer numbers than calibration figures, so
/// the fit can fail.
/// </summary>
public sealed record KernelCode
{
    /// <summary>
    /// One slow-path lookup: an iteration of __get_user_pages' loop (cond_resched, the VMA check), follow_page_mask's
    /// descent through follow_p4d/pud/pmd_mask and follow_page_pte's checks (vm_normal_page, the FOLL_* tests) — its
    /// loads and atomics counted apart. Set from gup_test -LT -m 8192 -n 512's get (a03db236aebf).
    /// </summary>
    public double LookupCycles { get; init; } = 62;

    /// <summary>
    /// One iteration of a tight kernel loop over entries: record_subpages' store, gup_fast_pte_range's body, the longterm
    /// check's and unpin's walk of the page array, an IO page table leaf. Set from gup_test's PIN_FAST of 1 GiB hugetlb pages
    /// (82e5d378b0e4), a store loop and little else.
    /// </summary>
    public double EntryCycles { get; init; } = 1.15;

    /// <summary>
    /// One IO page table map call's code: the domain op's entry, the argument checks, the descent to the leaf level and
    /// the leaf loop's set-up (iommupt's map_pages; drivers/iommu/generic_pt) — its loads counted apart. Set from the
    /// iommupt series' AMDv1 map of one 4 KiB page.
    /// </summary>
    public double IommuMapCallCycles { get; init; } = 230;

    /// <summary>The same for an unmap call (unmap_pages: the descent, the gather). Set from the AMDv1 unmap of one 4 KiB page.</summary>
    public double IommuUnmapCallCycles { get; init; } = 300;

    /// <summary>
    /// One page fault's code, its clear apart: handle_mm_fault's walk and do_anonymous_page — the folio's allocation from
    /// the per-CPU lists, the memcg charge, the rmap and LRU adds, the PTE set. Set from Daniel Jordan's VFIO pin of a
    /// 16 GiB guest's fresh memory before 4d83de6da265 (clear_page_erms 79 % of it).
    /// </summary>
    public double FaultCycles { get; init; } = 770;

    public static readonly KernelCode Default = new();
}

namespace Phyr.Domain.Mm;

/// <summary>Which walk a GUP call starts with.</summary>
public enum GupWalk
{
    /// <summary>The lockless fast path (gup_fast: IRQs off, no locks) first, the locked path for what it could not pin.</summary>
    Fast,

    /// <summary>Only the locked path (pin_user_pages / get_user_phyrs without _fast).</summary>
    Locked,
}

/// <summary>How GUP calls behave: the walk and the kernel feature switches that change GUP's work.</summary>
public sealed record GupOptions
{
    public GupWalk Walk { get; init; } = GupWalk.Fast;

    /// <summary>FOLL_LONGTERM (RDMA, VFIO): the output is checked for unpinnable folios; migration out of ZONE_MOVABLE/CMA is not modelled yet.</summary>
    public bool Longterm { get; init; } = true;

    /// <summary>One pin atomic per folio touched by a call (newer kernels) instead of one per page.</summary>
    public bool FolioBatchedPin { get; init; } = true;

    /// <summary>hugetlb pages: one refcount atomic on the head page per huge page instead of one per subpage.</summary>
    public bool HugetlbHeadRefcount { get; init; } = true;

    /// <summary>Release with put_page per page (what FOLL_GET users do) rather than unpin_user_pages' folio runs.</summary>
    public bool PutPerPage { get; init; }

    /// <summary>The slow path's lookup of a PMD-mapped THP yields the rest of the PMD (57edfcfd3419, v6.6) instead of one subpage.</summary>
    public bool ThpSlowBatch { get; init; } = true;

    /// <summary>unpin_user_pages puts once per run of pages of one folio (31b912de1316, v5.12) instead of once per page.</summary>
    public bool UnpinFolioBatched { get; init; } = true;

    /// <summary>FOLL_LONGTERM's check calls page_folio() on every page of the output (83c02c23d074, v5.13, to a03db236aebf, v6.16) instead of once per folio.</summary>
    public bool LongtermCheckPerPage { get; init; }

    /// <summary>The locked path takes the VMA's own lock (lock_vma_under_rcu) instead of mmap_lock.</summary>
    public bool PerVmaLock { get; init; }

    /// <summary>
    /// FOLL_WRITE (with the FOLL_TOUCH every pin_user_pages* adds): the caller will write the pages — VFIO's IOMMU_WRITE, a
    /// writable MR, gup_test without -W. The locked path's follow_page_pte then marks a folio dirty whose PTE and folio are
    /// both clean (a page populated by a read).
    /// </summary>
    public bool Write { get; init; } = true;
}

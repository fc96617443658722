namespace Phyr.Domain.Costs;

/// <summary>
/// The kernel's own instruction work, in core cycles, apart from the memory it touches (which the machine prices): the
/// only fitted parameters of the GUP model, set from the calibration set of <c>phyr validate</c> (config/validation,
/// docs/validation.md) and used unchanged for every other case and machine. Two numbers against more calibration cases
/// than that, so the fit can fail.
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
    /// check's and unpin's walk of the page array. Set from gup_test's PIN_FAST of 1 GiB hugetlb pages (82e5d378b0e4),
    /// a store loop and little else.
    /// </summary>
    public double EntryCycles { get; init; } = 1.75;

    public static readonly KernelCode Default = new();
}

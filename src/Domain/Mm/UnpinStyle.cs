namespace Phyr.Domain.Mm;

/// <summary>
/// How a caller unpins: one put per folio run (<paramref name="FolioBatched"/>, 31b912de1316) — for hugetlb too unless
/// <paramref name="HugetlbBatched"/> is off — over the page array it kept (<paramref name="PageArray"/>: unpin_user_pages)
/// or over ranges (unpin_user_page_range_dirty_lock); <paramref name="FollGet"/> for put_page of FOLL_GET references;
/// <paramref name="Dirty"/> for make_dirty (unpin_user_pages_dirty_lock / unpin_user_page_range_dirty_lock with true, as
/// VFIO's put_pfn of a writable mapping and ib_umem_release of a writable MR call them): a folio not yet PG_dirty is
/// locked, marked dirty and unlocked before its put.
/// </summary>
public readonly record struct UnpinStyle(bool FolioBatched, bool HugetlbBatched, bool PageArray, bool FollGet, bool Dirty = false)
{
    /// <summary>unpin_user_pages of a page array on a kernel of today.</summary>
    public static readonly UnpinStyle Default = new(true, true, true, false);
}

namespace Phyr.Domain.Mm;

/// <summary>
/// What a page-table walk finds for one 4 KiB page: its pfn, the folio it belongs to (first pfn and
/// size in pages), the level of the entry that maps it (0 PTE, 1 PMD, 2 PUD), and whether a struct page
/// stands behind it (not for device memory).
/// </summary>
public readonly record struct Mapping(ulong Pfn, ulong FolioPfn, ulong FolioPages, int Level, bool HasStructPage, bool Hugetlb = false)
{
    /// <summary>Pages from this one to the end of its folio.</summary>
    public ulong PagesToFolioEnd => FolioPfn + FolioPages - Pfn;
}

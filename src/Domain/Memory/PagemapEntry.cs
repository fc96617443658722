namespace Phyr.Domain.Memory;

/// <summary>
/// One 64-bit entry of /proc/PID/pagemap, a virtual page's (Documentation/admin-guide/mm/pagemap.rst): bits 0-54 the
/// page frame number when present (zero unless the reader has CAP_SYS_ADMIN), 55 soft-dirty, 56 exclusively mapped,
/// 57 uffd-wp write-protected, 61 file-page or shared-anon, 62 swapped, 63 present.
/// </summary>
public readonly record struct PagemapEntry(ulong Raw)
{
    public const int Bytes = 8;
    private const ulong PfnMask = (1UL << 55) - 1;

    public bool Present => (Raw >> 63 & 1) != 0;
    public bool Swapped => (Raw >> 62 & 1) != 0;
    public bool FileOrSharedAnon => (Raw >> 61 & 1) != 0;
    public bool Exclusive => (Raw >> 56 & 1) != 0;
    public bool SoftDirty => (Raw >> 55 & 1) != 0;

    /// <summary>The frame number of a present page (0: hidden from this reader, or not present).</summary>
    public ulong Pfn => Present ? Raw & PfnMask : 0;
}

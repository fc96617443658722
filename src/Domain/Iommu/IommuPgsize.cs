using System.Numerics;

namespace Phyr.Domain.Iommu;

/// <summary>One <c>ops->map_pages()</c> call: <see cref="Count"/> IO pages of <see cref="PageSize"/> bytes.</summary>
public readonly record struct IommuMapping(ulong Iova, ulong Paddr, ulong PageSize, ulong Count)
{
    public ulong Bytes => PageSize * Count;
}

/// <summary>
/// <c>iommu_pgsize()</c> and the <c>__iommu_map()</c> loop (drivers/iommu/iommu.c): how a physically
/// contiguous (iova, paddr, size) is cut into IO page-table entries for a domain's pgsize_bitmap.
/// </summary>
public static class IommuPgsize
{
    /// <summary>x86 IOMMUs (VT-d second level, AMD v1): 4 KiB, 2 MiB and 1 GiB.</summary>
    public const ulong X86Bitmap = (1UL << 12) | (1UL << 21) | (1UL << 30);

    /// <summary>
    /// Picks the largest page size that the bitmap has, that fits in <paramref name="size"/> and that
    /// both addresses are aligned to; then counts how many of it to map before a larger supported size
    /// becomes usable (only when iova and paddr are equally offset within that larger page).
    /// </summary>
    public static (ulong PageSize, ulong Count) Pick(ulong pgsizeBitmap, ulong iova, ulong paddr, ulong size)
    {
        if (size == 0) throw new ArgumentOutOfRangeException(nameof(size), "size is 0");
        var addrMerge = paddr | iova;

        // Page sizes supported by the hardware and small enough for size.
        var pgsizes = pgsizeBitmap & GenMask(Fls(size));
        // Constrain further by the maximum alignment.
        if (addrMerge != 0) pgsizes &= GenMask(BitOperations.TrailingZeroCount(addrMerge));
        if (pgsizes == 0)
            throw new ArgumentException(
                $"no page size in bitmap 0x{pgsizeBitmap:x} fits iova 0x{iova:x} paddr 0x{paddr:x} size 0x{size:x} (the kernel BUG()s)");

        var idx = Fls(pgsizes);
        var pgsize = 1UL << idx;

        // The next bigger supported page size, if any.
        var bigger = idx == 63 ? 0 : pgsizeBitmap & ~GenMask(idx);
        if (bigger != 0)
        {
            var next = 1UL << BitOperations.TrailingZeroCount(bigger);
            // No point trying a bigger page unless iova and paddr are similarly offset within it.
            if (((iova ^ paddr) & (next - 1)) == 0)
            {
                // Offset to the next bigger alignment boundary.
                var offset = next - (addrMerge & (next - 1));
                // If size can take the larger page after that, map only up to the boundary.
                if (offset + next <= size && offset + next > offset) size = offset;
            }
        }
        return (pgsize, size >> idx);
    }

    /// <summary>
    /// The map_pages() calls of <c>iommu_map(domain, iova, paddr, size)</c>. iova, paddr and size must
    /// be aligned to the smallest supported page (the kernel returns -EINVAL otherwise).
    /// </summary>
    public static IReadOnlyList<IommuMapping> Map(ulong pgsizeBitmap, ulong iova, ulong paddr, ulong size)
    {
        var calls = new List<IommuMapping>();
        foreach (var call in Pieces(pgsizeBitmap, iova, paddr, size)) calls.Add(call);
        return calls;
    }

    /// <summary><see cref="Map"/>'s calls one by one, with no list made (the IO page table maps millions of ranges).</summary>
    public static Cuts Pieces(ulong pgsizeBitmap, ulong iova, ulong paddr, ulong size)
    {
        if (pgsizeBitmap == 0) throw new ArgumentException("pgsize_bitmap is empty", nameof(pgsizeBitmap));
        var minPage = 1UL << BitOperations.TrailingZeroCount(pgsizeBitmap);
        if (((iova | paddr | size) & (minPage - 1)) != 0)
            throw new ArgumentException(
                $"iova 0x{iova:x}, paddr 0x{paddr:x} and size 0x{size:x} must be aligned to the minimum page size 0x{minPage:x} (-EINVAL)");
        return new Cuts(pgsizeBitmap, iova, paddr, size);
    }

    /// <summary>The map_pages() calls of one range, as an enumerator over the range left.</summary>
    public struct Cuts(ulong pgsizeBitmap, ulong iova, ulong paddr, ulong size)
    {
        public IommuMapping Current { get; private set; }

        public readonly Cuts GetEnumerator() => this;

        public bool MoveNext()
        {
            if (size == 0) return false;
            var (pgsize, count) = Pick(pgsizeBitmap, iova, paddr, size);
            Current = new IommuMapping(iova, paddr, pgsize, count);
            var mapped = pgsize * count;
            size -= mapped;
            iova += mapped;
            paddr += mapped;
            return true;
        }
    }

    private static int Fls(ulong x) => 63 - BitOperations.LeadingZeroCount(x);

    /// <summary>GENMASK(h, 0): bits h..0 set.</summary>
    private static ulong GenMask(int h) => h >= 63 ? ulong.MaxValue : (1UL << (h + 1)) - 1;
}

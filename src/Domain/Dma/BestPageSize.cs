using System.Numerics;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Dma;

/// <summary>
/// ib_umem_find_best_pgsz (drivers/infiniband/core/umem.c): the largest page size, among those the device
/// supports, with which the device can translate the MR's virtual range to its DMA segments — every bit
/// where a segment's DMA address and the virtual address differ, and every interior segment boundary,
/// limits it. Returns 0 when none fits.
/// </summary>
public static class BestPageSize
{
    /// <summary>Page sizes a typical RDMA NIC takes (mlx5: 4 KiB up to 2 GiB).</summary>
    public const ulong Mlx5Bitmap = 0xFFFFF000UL;

    public static ulong Find(IReadOnlyList<PhysRange> dmaSegments, ulong virt, ulong length, ulong pgszBitmap)
    {
        if (dmaSegments.Count == 0 || length == 0) return 0;
        // The largest page size that could work from the VA bits that do not change across the range.
        var mask = pgszBitmap & GenMask(63, BitsPer(((length - 1) + virt) ^ virt));
        var va = virt;
        var pgoff = virt & (Page.Size - 1);
        for (var i = 0; i < dmaSegments.Count; i++)
        {
            var sg = dmaSegments[i];
            mask |= (sg.Addr - (sg.Addr & (Page.Size - 1)) + pgoff) ^ va;
            va += sg.Len + (sg.Addr & (Page.Size - 1)) - pgoff;
            if (i != dmaSegments.Count - 1) mask |= va;
            pgoff = 0;
        }
        if (mask != 0) pgszBitmap &= GenMask(BitOperations.TrailingZeroCount(mask), 0);
        return pgszBitmap == 0 ? 0 : 1UL << (63 - BitOperations.LeadingZeroCount(pgszBitmap));
    }

    /// <summary>bits_per(n): the bits needed to hold n (at least 1).</summary>
    private static int BitsPer(ulong n) => n == 0 ? 1 : 64 - BitOperations.LeadingZeroCount(n);

    private static ulong GenMask(int h, int l) => (h >= 63 ? ulong.MaxValue : (1UL << (h + 1)) - 1) & ~((1UL << l) - 1);
}

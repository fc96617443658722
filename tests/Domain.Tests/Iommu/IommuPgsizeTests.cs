using FsCheck.Xunit;
using Phyr.Domain.Iommu;

namespace Phyr.Domain.Tests.Iommu;

/// <summary>iommu_pgsize() and the __iommu_map() loop, cases worked out from drivers/iommu/iommu.c.</summary>
public class IommuPgsizeTests
{
    private const ulong K4 = 1 << 12, M2 = 1 << 21, G1 = 1 << 30;
    private const ulong X86 = IommuPgsize.X86Bitmap;

    [Fact]
    public void Aligned_4MiB_maps_as_two_2MiB_pages()
    {
        Assert.Equal([new IommuMapping(0, 0, M2, 2)], IommuPgsize.Map(X86, 0, 0, 4 * M2 / 2));
    }

    [Fact]
    public void Small_pages_only_up_to_the_next_large_boundary()
    {
        // iova = paddr = 4 KiB: 511 small pages reach 2 MiB, then one 2 MiB page, then the 4 KiB tail.
        Assert.Equal(
            [new IommuMapping(K4, K4, K4, 511), new IommuMapping(M2, M2, M2, 1), new IommuMapping(2 * M2, 2 * M2, K4, 1)],
            IommuPgsize.Map(X86, K4, K4, 2 * M2));
    }

    [Fact]
    public void Differently_offset_iova_and_paddr_never_use_large_pages()
    {
        var calls = IommuPgsize.Map(X86, K4, 2 * K4, 4 * M2);
        Assert.Equal([new IommuMapping(K4, 2 * K4, K4, 4 * M2 / K4)], calls);
    }

    [Fact]
    public void A_1GiB_aligned_range_takes_1GiB_pages()
    {
        Assert.Equal([new IommuMapping(G1, 3 * G1, G1, 2), new IommuMapping(3 * G1, 5 * G1, M2, 1)],
            IommuPgsize.Map(X86, G1, 3 * G1, 2 * G1 + M2));
    }

    [Fact]
    public void Count_stops_before_a_larger_page_only_if_one_fits_after_the_boundary()
    {
        // 4 KiB-aligned start, 2 MiB + 4 KiB long: a 2 MiB page would not fit after the boundary, so all small.
        Assert.Equal((K4, (M2 + K4) / K4), IommuPgsize.Pick(X86, K4, K4, M2 + K4));
    }

    [Fact]
    public void Unaligned_input_is_EINVAL()
    {
        Assert.Throws<ArgumentException>(() => IommuPgsize.Map(X86, 100, 0, K4));
        Assert.Throws<ArgumentException>(() => IommuPgsize.Map(X86, 0, 0, 100));
    }

    [Property(MaxTest = 500)]
    public void Mappings_cover_the_range_with_aligned_pages(ushort iovaPages, ushort paddrPages, ushort sizePages, bool sameOffset)
    {
        var iova = (ulong)iovaPages * K4 * (sameOffset ? 512UL : 1);
        var paddr = sameOffset ? iova + 7 * G1 : (ulong)paddrPages * K4;
        var size = ((ulong)sizePages + 1) * K4 * 3;
        var calls = IommuPgsize.Map(X86, iova, paddr, size);
        var (i, p) = (iova, paddr);
        foreach (var c in calls)
        {
            Assert.Equal(i, c.Iova);
            Assert.Equal(p, c.Paddr);
            Assert.Equal(0UL, c.Iova % c.PageSize);
            Assert.Equal(0UL, c.Paddr % c.PageSize);
            Assert.True(c.Count > 0);
            i += c.Bytes;
            p += c.Bytes;
        }
        Assert.Equal(iova + size, i);
    }
}

using Phyr.Domain.Dma;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Dma;

/// <summary>ib_umem_find_best_pgsz, cases worked out from drivers/infiniband/core/umem.c.</summary>
public class BestPageSizeTests
{
    private const ulong Va = 1UL << 40;

    [Fact]
    public void Scattered_pages_at_their_physical_addresses_need_4K_device_pages()
    {
        PhysRange[] segs = [new(0x123000, 4096), new(0x200000, 4096)];
        Assert.Equal(4096UL, BestPageSize.Find(segs, Va, 8192, BestPageSize.Mlx5Bitmap));
    }

    [Fact]
    public void One_contiguous_aligned_segment_takes_the_largest_page_the_range_allows()
    {
        Assert.Equal(1UL << 30, BestPageSize.Find([new PhysRange(3UL << 30, 1UL << 30)], Va, 1UL << 30, BestPageSize.Mlx5Bitmap));
        // 6 MiB: the range spans more than 4 MiB of VA bits, so up to 8 MiB pages pass the first mask; alignment limits to 2 MiB.
        Assert.Equal(2UL << 20, BestPageSize.Find([new PhysRange(2UL << 20, 6UL << 20)], Va, 6UL << 20, BestPageSize.Mlx5Bitmap));
    }

    [Fact]
    public void An_interior_boundary_limits_the_page_size()
    {
        // Two 2 MiB-aligned chunks, but the first ends 64 KiB into a 2 MiB page: 64 KiB pages.
        PhysRange[] segs = [new(0x4000_0000, 64 * 1024), new(0x8000_0000, 1UL << 20)];
        Assert.Equal(64UL * 1024, BestPageSize.Find(segs, Va, 64 * 1024 + (1UL << 20), BestPageSize.Mlx5Bitmap));
    }

    [Fact]
    public void No_supported_size_gives_zero()
    {
        Assert.Equal(0UL, BestPageSize.Find([new PhysRange(0x1000, 4096)], Va, 4096, 1UL << 21));
    }
}

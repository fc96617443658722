using Phyr.Domain.Dma;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Dma;

/// <summary>vfio_unmap_unpin's IOMMU part, worked from drivers/vfio/vfio_iommu_type1.c.</summary>
public class VfioUnmapUnpinTests
{
    [Fact]
    public void Every_page_is_looked_up_each_run_is_unmapped_once_and_syncs_come_every_512_runs()
    {
        // Guest pages 0-5 map to frames 10-13 and 40-41: two physically contiguous runs.
        var d = new DmaDomain(IommuMode.Strict);
        const ulong guest = 1UL << 30;
        d.PageTable.Map(guest, 10 * Page.Size, 4 * Page.Size);
        d.PageTable.Map(guest + 4 * Page.Size, 40 * Page.Size, 2 * Page.Size);
        var r = d.VfioUnmapUnpin(guest, 6 * Page.Size);
        // iommu_iova_to_phys: pages 0..4 for the first run (4 ends it), then 4 again and 5: 6 pages + 1 stopping look-up.
        Assert.Equal(new DmaDomain.VfioUnmapResult(PagesLookedUp: 7, Runs: 2, PtesCleared: 6, Syncs: 1, UnmapCalls: 2), r); // an iommu_unmap_fast a run
        Assert.Null(d.PageTable.Translate(guest));

        // 1,024 single-page runs: two syncs (VFIO_IOMMU_TLB_SYNC_MAX is 512).
        var scattered = new DmaDomain(IommuMode.Strict);
        for (ulong i = 0; i < 1024; i++) scattered.PageTable.Map(guest + i * Page.Size, (100 + 2 * i) * Page.Size, Page.Size);
        Assert.Equal((1024L, 2L), (scattered.VfioUnmapUnpin(guest, 1024 * Page.Size) is var s ? (s.Runs, s.Syncs) : default));
    }
}

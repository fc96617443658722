using Phyr.Domain.Dma;
using Phyr.Domain.Iommu;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Iommu;

/// <summary>The IOTLB: what stays reachable after an unmap, until which invalidation, and the window it leaves.</summary>
public class IotlbTests
{
    [Fact]
    public void A_synced_unmap_is_one_invalidation_and_leaves_nothing_stale()
    {
        var tlb = new Iotlb(12);
        tlb.Sync();
        Assert.Equal((1L, 0L, 1L), (tlb.Invalidations, tlb.StaleWindow.Max, tlb.StaleWindow.Count));
        Assert.Null(tlb.Stale(0x10_0000));
    }

    [Fact]
    public void A_kept_translation_stays_reachable_until_its_range_is_invalidated_and_the_window_is_measured()
    {
        var tlb = new Iotlb(12);
        tlb.Keep(0x10_0000, 0x7000);
        tlb.Keep(0x10_1000, 0x9000);
        Assert.Equal(0x9000UL, tlb.Stale(0x10_1000));
        tlb.Flush();
        tlb.Invalidated(0x100, 1, queuedAt: 1_000, now: 5_000); // only the first page's range
        Assert.Null(tlb.Stale(0x10_0000));
        Assert.Equal(0x9000UL, tlb.Stale(0x10_1000));
        Assert.Equal(1, tlb.Invalidations);
        Assert.InRange(tlb.StaleWindow.Max, 4_000, 4_004); // 3 significant digits
    }

    [Fact]
    public void Through_a_lazy_domain_the_device_reaches_the_old_page_until_the_flush_queue_flushes()
    {
        var d = new DmaDomain(IommuMode.Lazy);
        var m = d.MapAt(0x20_0000, [new PhysRange(0x5000, 0x1000)]) with { IovaLength = 0x1000, IovaBase = 0x20_0000, MappedLength = 0x1000 };
        d.Unmap(0, m, now: 100);
        Assert.Equal((DeviceAccess.Stale, (ulong?)0x5004), d.DeviceTranslate(0x20_0004));
        d.FlushTimeout(0, now: 10_000_100);
        Assert.Equal(DeviceAccess.Fault, d.DeviceTranslate(0x20_0004).Access);
        Assert.Equal(1, d.Iotlb.Invalidations);
        Assert.Equal(10_000_000, d.Iotlb.StaleWindow.Max, tolerance: 10_000_000 / 500.0);
    }
}

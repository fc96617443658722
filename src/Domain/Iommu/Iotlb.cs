using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Domain.Iommu;

/// <summary>
/// A domain's IOTLB as far as the device can tell: a translation whose IO page-table entry was cleared stays
/// reachable until an invalidation covers it. Strict mode invalidates before the unmap returns (nothing stays
/// stale); lazy mode's flush queue invalidates in batches (drivers/iommu/dma-iommu.c: fq_flush_iotlb), and until
/// then the device can still reach the old page — the stale window this type measures. Invalidations are counted
/// here; their service time is the IOMMU's invalidation queue's (qi_submit_sync), a queued server of the domain's
/// component.
/// </summary>
public sealed class Iotlb(int granuleShift)
{
    private readonly Dictionary<ulong, ulong> _stale = []; // IOVA page -> the physical address it translated to

    /// <summary>Invalidations issued: one per strict unmap or VFIO unmap, one per lazy flush.</summary>
    public long Invalidations { get; private set; }

    /// <summary>How long each unmapped IOVA range stayed reachable (0 for a synced unmap).</summary>
    public LatencyHistogram StaleWindow { get; } = new();

    /// <summary>An IO PTE of <paramref name="iova"/> was cleared but not invalidated: the device may still use it.</summary>
    public void Keep(ulong iova, ulong paddr) => _stale[iova] = paddr;

    /// <summary>An unmap synced before it returned (iommu_iotlb_sync): one invalidation, nothing left stale.</summary>
    public void Sync()
    {
        Invalidations++;
        StaleWindow.Record(0);
    }

    /// <summary>A flush of the whole domain (the flush queue's): one invalidation.</summary>
    public void Flush() => Invalidations++;

    /// <summary>A range queued at <paramref name="queuedAt"/> is now invalidated: its pages are no longer reachable.</summary>
    public void Invalidated(ulong iovaPfn, ulong pages, long queuedAt, long now)
    {
        StaleWindow.Record(now - queuedAt);
        for (ulong p = 0; p < pages; p++) _stale.Remove((iovaPfn + p) << granuleShift);
    }

    /// <summary>What a stale entry still translates <paramref name="iovaPage"/> to, if the IOTLB may hold one.</summary>
    public ulong? Stale(ulong iovaPage) => _stale.TryGetValue(iovaPage, out var paddr) ? paddr : null;
}

namespace Phyr.Domain.Dma;

/// <summary>
/// Virtual-time costs of the DMA path, in ns. Sourced: iommu_map of one 4 KiB page ~64 ns and unmap ~89 ns
/// (page table only; iommupt AMDv1 series review, 2025) — split here into a per-call part and a per-PTE
/// part (our assumption); an IOTLB invalidation ~2 µs (Documentation/ABI/testing/debugfs-intel-iommu).
/// Assumed (no published figure; `phyr run calibration` checks only the published ones): IOVA cache pop 20 ns; rbtree allocation 100 ns + 10 ns per node
/// visited; 5 ns per scatterlist entry built; 4 ns per device translation (MTT) entry written and 2 µs
/// per device command (register / deregister).
/// </summary>
public sealed record DmaCosts
{
    public long IovaCacheNs { get; init; } = 20;
    public long IovaTreeNs { get; init; } = 100;
    public long IovaTreeStepNs { get; init; } = 10;
    public long MapCallNs { get; init; } = 40;
    public long MapPteNs { get; init; } = 24;
    public long UnmapCallNs { get; init; } = 65;
    public long UnmapPteNs { get; init; } = 24;
    public long IotlbInvalidationNs { get; init; } = 2000;
    public long SgEntryNs { get; init; } = 5;
    public long DeviceEntryNs { get; init; } = 4;
    public long DeviceCommandNs { get; init; } = 2000;

    public static readonly DmaCosts Default = new();

    /// <summary>CPU time to make a mapping, IOVA allocation aside (its tree part is serialised by the rbtree lock).</summary>
    public long Map(DmaMapping m) =>
        m.MapCalls.Count * MapCallNs + m.PtesWritten * MapPteNs + m.TemporarySgEntries * SgEntryNs;

    public long Unmap(DmaMapping m, long ptesCleared) => m.MapCalls.Count * UnmapCallNs + ptesCleared * UnmapPteNs;

    /// <summary>The rbtree part of an IOVA operation (held under the tree lock), 0 when a cache served it.</summary>
    public long TreeHold(Iommu.IovaOp op) => op.TookTreeLock ? IovaTreeNs + op.TreeSteps * IovaTreeStepNs : 0;

    public long CacheOp(Iommu.IovaOp op) => op.TookTreeLock ? 0 : IovaCacheNs;
}

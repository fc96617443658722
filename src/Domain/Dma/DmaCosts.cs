namespace Phyr.Domain.Dma;

/// <summary>
/// Virtual-time costs of the DMA path, in ns. The IO page table's (a map or unmap call's code and walk, each leaf
/// written or cleared) are made by <see cref="Costs.CostModel.Derive"/> from the machine and the kernel code's cycles,
/// checked against the iommupt series' per-call measurements (docs/validation.md), and an IOTLB invalidation is the
/// machine's (<see cref="Machines.MachineProfile.IotlbInvalidationNs"/>). The rest are still assumed: IOVA cache pop 20 ns; rbtree allocation
/// 100 ns + 10 ns per node visited; 5 ns per scatterlist entry built; 4 ns per device translation (MTT) entry written
/// and 2 µs per device command (register / deregister).
/// </summary>
public sealed record DmaCosts
{
    public long IovaCacheNs { get; init; } = 20;
    public long IovaTreeNs { get; init; } = 100;
    public long IovaTreeStepNs { get; init; } = 10;
    /// <summary>One map call's code and its walk down to the leaf level (iommupt: the walk is kept across the call's leaves).</summary>
    public double MapCallNs { get; init; } = 40;

    /// <summary>One leaf written; with the old AMD v1 code, a walk from the top for each (it "rewalks the entire table on every new PTE").</summary>
    public double MapPteNs { get; init; } = 24;

    /// <summary>One iommu_iova_to_phys: a walk of the IO page table from the top (four levels in L1) and the loop's compare.</summary>
    public double IovaToPhysNs { get; init; } = 10;

    public double UnmapCallNs { get; init; } = 65;
    public double UnmapPteNs { get; init; } = 24;
    /// <summary>One IOTLB invalidation: the default machine's (a derived cost model takes its own machine's).</summary>
    public long IotlbInvalidationNs { get; init; } = (long)Math.Round(Machines.MachineProfiles.Default.IotlbInvalidationNs);
    public long SgEntryNs { get; init; } = 5;
    public long DeviceEntryNs { get; init; } = 4;
    public long DeviceCommandNs { get; init; } = 2000;

    public static readonly DmaCosts Default = new();

    /// <summary>CPU time to make a mapping, IOVA allocation aside (its tree part is serialised by the rbtree lock).</summary>
    public long Map(DmaMapping m) => PageTableMap(m.IommuMapCalls, m.PtesWritten) + m.TemporarySgEntries * SgEntryNs;

    /// <summary>CPU time of an unmap's IO page table part: its unmap_pages calls and the leaves they cleared.</summary>
    public long Unmap(UnmapResult r) => PageTableUnmap(r.UnmapCalls, r.PtesCleared);

    /// <summary>The IO page table's part of <paramref name="calls"/> map calls writing <paramref name="ptes"/> leaves.</summary>
    public long PageTableMap(long calls, long ptes) => (long)Math.Round(calls * MapCallNs + ptes * MapPteNs, MidpointRounding.AwayFromZero);

    public long PageTableUnmap(long calls, long ptes) => (long)Math.Round(calls * UnmapCallNs + ptes * UnmapPteNs, MidpointRounding.AwayFromZero);

    /// <summary>The rbtree part of an IOVA operation (held under the tree lock), 0 when a cache served it.</summary>
    public long TreeHold(Iommu.IovaOp op) => op.TookTreeLock ? IovaTreeNs + op.TreeSteps * IovaTreeStepNs : 0;

    public long CacheOp(Iommu.IovaOp op) => op.TookTreeLock ? 0 : IovaCacheNs;
}

using Phyr.Domain.Iommu;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Dma;

/// <summary>
/// A live DMA mapping: what the device was given (its segments: DMA address and length), the IOVA range
/// behind it (if translated), and what it cost to make.
/// </summary>
public sealed record DmaMapping
{
    public required DmaStrategy Strategy { get; init; }
    public required IReadOnlyList<PhysRange> DeviceSegments { get; init; }

    /// <summary>The IOVA range allocated, in bytes (0, 0 when not translated).</summary>
    public ulong IovaBase { get; init; }
    public ulong IovaLength { get; init; }
    public IovaOp? IovaAlloc { get; init; }

    /// <summary>The __iommu_map calls made (one per physically contiguous run), back to back from <see cref="IovaBase"/>.</summary>
    public long IommuMapCalls { get; init; }

    /// <summary>The IOVA bytes those calls cover from <see cref="IovaBase"/> (what an unmap clears); no list of the calls is kept.</summary>
    public ulong MappedLength { get; init; }

    public long MapPagesCalls { get; init; }
    public long PtesWritten { get; init; }
    public long TablesAllocated { get; init; }

    /// <summary>Scatterlist entries built just to call dma_map_sg (phyr-compat's temporary table).</summary>
    public long TemporarySgEntries { get; init; }

    public bool Translated => IovaLength > 0;
}

namespace Phyr.Domain.Dma;

/// <summary>
/// A device's DMA limits: its DMA mask, the longest segment it takes (dma_get_max_seg_size: 64 KiB unless
/// the driver sets it) and the boundary a segment may not cross (dma_get_seg_boundary: 4 GiB by default).
/// </summary>
public sealed record DeviceLimits
{
    public ulong DmaMask { get; init; } = (1UL << 48) - 1;
    public ulong MaxSegmentSize { get; init; } = 1UL << 16;
    public ulong SegmentBoundaryMask { get; init; } = 0xFFFFFFFF;

    public static readonly DeviceLimits Default = new();
}

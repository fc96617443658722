using Phyr.Domain.Memory;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Dma;

/// <summary>
/// What a device's IOMMU domain component takes and answers: the DMA API's map and unmap paths (dma_map_sg,
/// dma_map_phyrs, the IOVA-link API), VFIO's map and unmap at a chosen IOVA, and the device's accesses. Each
/// request is answered when its work is done; a reply type says one thing only.
/// </summary>
public static class IommuProtocol
{
    /// <summary>dma_map_sg of a scatterlist's segments.</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+MapSg")]
    public sealed record MapSg(int Cpu, PhysRange[] Sg);

    /// <summary>dma_map_phyrs: natively, or through a temporary scatterlist (compat).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+MapPhyrs")]
    public sealed record MapPhyrs(int Cpu, IReadOnlyList<PhysRange> Phyrs, bool Native);

    /// <summary>Map one request's ranges with a strategy in one go (a block request's DMA mapping).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+MapRanges")]
    public sealed record MapRanges(int Cpu, PhysRange[] Ranges, DmaStrategy Strategy);

    /// <summary>dma_iova_try_alloc for <paramref name="Total"/> bytes: answered with <see cref="IovaAllocated"/>.</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+IovaTryAlloc")]
    public sealed record IovaTryAlloc(int Cpu, ulong FirstOffset, ulong Total);

    /// <summary>dma_iova_link of the next ranges into the requester's IOVA range: answered with <see cref="Linked"/>.</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+IovaLink")]
    public sealed record IovaLink(PhysRange[] Ranges);

    /// <summary>dma_iova_sync: the requester's IOVA range is complete; answered with <see cref="Mapped"/>.</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+IovaSync")]
    public sealed record IovaSync
    {
        public static readonly IovaSync Instance = new();
    }

    /// <summary>VFIO: map ranges at the guest-physical IOVA the user chose (no allocator).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+MapAt")]
    public sealed record MapAt(ulong Iova, PhysRange[] Ranges);

    /// <summary>dma_unmap_sg / dma_unmap_phyrs / dma_iova_destroy of a mapping.</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+Unmap")]
    public sealed record Unmap(int Cpu, DmaMapping Mapping);

    /// <summary>VFIO: unmap [Iova, Iova + Size) and sync the IOTLB.</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+UnmapAt")]
    public sealed record UnmapAt(ulong Iova, ulong Size);

    /// <summary>
    /// VFIO's vfio_unmap_unpin of [Iova, Iova + Size): iommu_iova_to_phys on every 4 KiB page to find the physically
    /// contiguous runs, iommu_unmap_fast per run, an iommu_iotlb_sync every 512 runs and at the end.
    /// </summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+VfioUnmap")]
    public sealed record VfioUnmap(ulong Iova, ulong Size);

    /// <summary>vfio_unmap_unpin's IOMMU part is done: the runs it unmapped (each is unpinned as one range, or page by page).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+VfioUnmapped")]
    public sealed record VfioUnmapped(long Runs);

    /// <summary>iommu_unmap_fast: clear the IO page table for [Iova, Iova + Size) without syncing the IOTLB (the caller's gather does).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+UnmapFast")]
    public sealed record UnmapFast(ulong Iova, ulong Size);

    /// <summary>A device DMAs to these segments now: check the first and last byte of each (translated, and pinned).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+DeviceAccess")]
    public sealed record DeviceAccess(PhysRange[] Segments);

    /// <summary>A map request is done: the mapping made.</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+Mapped")]
    public sealed record Mapped(DmaMapping Mapping);

    /// <summary>dma_iova_try_alloc is done (the range allocated, or none without translation).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+Linked")]
    public sealed record IovaAllocated
    {
        public static readonly IovaAllocated Instance = new();
    }

    /// <summary>dma_iova_link is done: the ranges are in the IO page table (not yet synced).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+Linked")]
    public sealed record Linked
    {
        public static readonly Linked Instance = new();
    }

    /// <summary>An unmap is done (for strict mode: invalidated).</summary>
    [EventKind("Phyr.Actors.Kernel.IommuDomain+Unmapped")]
    public sealed record Unmapped
    {
        public static readonly Unmapped Instance = new();
    }
}

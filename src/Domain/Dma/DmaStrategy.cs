namespace Phyr.Domain.Dma;

/// <summary>How a driver turns pinned memory into DMA addresses: the four strategies the simulator compares.</summary>
public enum DmaStrategy
{
    /// <summary>Page array -> sg_alloc_append_table_from_pages -> dma_map_sg (ib_umem_get today).</summary>
    Legacy,

    /// <summary>Phyrs -> a temporary scatterlist -> dma_map_sg (the thread's first dma_map_phyrs).</summary>
    PhyrCompat,

    /// <summary>dma_map_phyrs straight into the IOMMU, no scatterlist.</summary>
    PhyrNative,

    /// <summary>The two-step API: dma_iova_try_alloc, dma_iova_link per range, dma_iova_sync.</summary>
    IovaLink,
}

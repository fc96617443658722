namespace Phyr.Domain.Dma;

/// <summary>How DMA addresses are made (iommu.passthrough= / iommu.strict=).</summary>
public enum IommuMode
{
    /// <summary>No IOMMU: dma-direct, DMA address = physical address.</summary>
    None,

    /// <summary>An identity domain: dma-direct too, but translated by the IOMMU hardware 1:1.</summary>
    Passthrough,

    /// <summary>DMA domain, IOTLB invalidated before every unmap returns.</summary>
    Strict,

    /// <summary>DMA domain, invalidations deferred to a flush queue: unmapped IOVAs stay reachable until the flush.</summary>
    Lazy,
}

public static class IommuModeExtensions
{
    public static bool Translates(this IommuMode m) => m is IommuMode.Strict or IommuMode.Lazy;
}

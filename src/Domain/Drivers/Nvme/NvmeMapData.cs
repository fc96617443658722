namespace Phyr.Domain.Drivers.Nvme;

/// <summary>
/// What the controller and the command allow (drivers/nvme/host/pci.c, enum nvme_use_sgl and nvme_pci_use_sgls): an I/O
/// queue of a controller without SGL support describes data with PRPs only; with SGL support the size of the segments
/// decides; a passthrough user command is forced to SGLs (so the device can check the transfer's length).
/// </summary>
public enum NvmeSglUse { Unsupported, Supported, Forced }

/// <summary>How nvme_map_data set up a request's data pointer.</summary>
public enum NvmeDataSetup
{
    /// <summary>One segment of at most two controller pages: dma_map_bvec, PRP1 (and PRP2) in the command, no list.</summary>
    PrpSimple,

    /// <summary>One segment as one inline SGL data descriptor in the command: dma_map_bvec, no list.</summary>
    SglSimple,

    /// <summary>The general path to PRPs (nvme_pci_setup_prps / _data_prp): a PRP list from the 3rd page on.</summary>
    Prp,

    /// <summary>The general path to an SGL (nvme_pci_setup_sgls / _data_sgl): a list of data descriptors past one.</summary>
    Sgl,
}

/// <summary>A controller's and kernel's side of the choice: what the queue allows, sgl_threshold, and which code maps.</summary>
public sealed record NvmeDataPolicy(NvmeSglUse Sgl, ulong SglThreshold = NvmeMapData.DefaultSglThreshold, bool SingleSegment = true, bool DmaIter = true)
{
    /// <summary>The setup of a request (<see cref="NvmeMapData.Choose"/>).</summary>
    public NvmeDataSetup Choose(int physSegments, ulong firstOffset, ulong payloadBytes, int dmaSegments, bool coalesced) =>
        NvmeMapData.Choose(Sgl, SglThreshold, physSegments, firstOffset, payloadBytes, dmaSegments, coalesced, SingleSegment, DmaIter);
}

/// <summary>
/// nvme_map_data's choice of data setup for one request, as the kernel makes it (drivers/nvme/host/pci.c). Two
/// generations of the code, told apart by <c>dmaIter</c> in <see cref="Choose"/>:
/// <list type="bullet">
/// <item>dff824b2aadb "nvme-pci: optimize mapping of small single segment requests" (Christoph Hellwig, Linux 5.2) and
/// its SGL twin: a request of one physical segment skips the scatterlist — nvme_setup_prp_simple when
/// <c>(offset &amp; (NVME_CTRL_PAGE_SIZE - 1)) + len &lt;= 2 * NVME_CTRL_PAGE_SIZE</c>, else nvme_setup_sgl_simple when the
/// queue may use SGLs and sgl_threshold is not 0. Otherwise the scatterlist is mapped (dma_map_sgtable) and
/// nvme_pci_use_sgls takes an SGL when the average DMA segment, <c>DIV_ROUND_UP(payload, sgt.nents)</c> after the IOMMU
/// merged what it could, is at least sgl_threshold.</item>
/// <item>7ce3c1dd78fc "nvme-pci: convert the data mapping to blk_rq_dma_map" (Christoph Hellwig, Linux 6.17):
/// nvme_pci_setup_data_simple takes one segment as PRPs when they can describe it and SGLs are not forced, else as an
/// inline SGL descriptor when the queue has SGLs (sgl_threshold is not asked); otherwise the DMA iterator, and an SGL
/// when forced or when <c>nvme_pci_avg_seg_size</c> — the payload over one segment when the IOMMU coalesced the request
/// into one IOVA range, over its physical segments when not — is at least sgl_threshold.</item>
/// </list>
/// Without the single-segment path (<c>singleSegment</c> off: before dff824b2aadb) every request takes the
/// general path. Metadata (protection information) is not modelled.
/// </summary>
public static class NvmeMapData
{
    /// <summary>NVME_CTRL_PAGE_SIZE: the controller page PRPs are counted in.</summary>
    public const ulong CtrlPageSize = 4096;

    /// <summary>The sgl_threshold module parameter's default (SZ_32K): the average segment from which SGLs pay off.</summary>
    public const ulong DefaultSglThreshold = 32 * 1024;

    /// <summary>
    /// The setup for a request of <paramref name="payloadBytes"/> starting <paramref name="firstOffset"/> bytes into its
    /// first page, in <paramref name="physSegments"/> physical segments (blk_rq_nr_phys_segments) that the DMA mapping
    /// turned into <paramref name="dmaSegments"/> device segments, <paramref name="coalesced"/> when an IOMMU gave the
    /// whole request one IOVA range.
    /// </summary>
    public static NvmeDataSetup Choose(NvmeSglUse sgl, ulong sglThreshold, int physSegments, ulong firstOffset, ulong payloadBytes,
        int dmaSegments, bool coalesced, bool singleSegment = true, bool dmaIter = true)
    {
        if (physSegments < 1) throw new ArgumentOutOfRangeException(nameof(physSegments), physSegments, "a request with data has a segment");
        if (dmaSegments < 1) throw new ArgumentOutOfRangeException(nameof(dmaSegments), dmaSegments, "a mapped request has a segment");
        var prpPossible = (firstOffset & (CtrlPageSize - 1)) + payloadBytes <= 2 * CtrlPageSize;
        if (singleSegment && physSegments == 1)
        {
            if (dmaIter)
            {
                // nvme_pci_setup_data_simple: BLK_STS_AGAIN (the iterator) only when neither PRPs nor SGLs can do it.
                if (sgl != NvmeSglUse.Unsupported || prpPossible)
                    return sgl == NvmeSglUse.Forced || !prpPossible ? NvmeDataSetup.SglSimple : NvmeDataSetup.PrpSimple;
            }
            else
            {
                if (prpPossible && sgl != NvmeSglUse.Forced) return NvmeDataSetup.PrpSimple;
                if (sgl != NvmeSglUse.Unsupported && sglThreshold != 0) return NvmeDataSetup.SglSimple;
            }
        }
        if (sgl == NvmeSglUse.Forced) return NvmeDataSetup.Sgl;
        if (sgl == NvmeSglUse.Unsupported || sglThreshold == 0) return NvmeDataSetup.Prp;
        var segments = dmaIter ? (coalesced ? 1 : physSegments) : dmaSegments;
        var average = (payloadBytes + (ulong)segments - 1) / (ulong)segments;
        return average >= sglThreshold ? NvmeDataSetup.Sgl : NvmeDataSetup.Prp;
    }

    /// <summary>Whether the setup describes the data with SGL descriptors.</summary>
    public static bool IsSgl(this NvmeDataSetup setup) => setup is NvmeDataSetup.Sgl or NvmeDataSetup.SglSimple;
}

using Phyr.Domain.Drivers.Nvme;

namespace Phyr.Domain.Tests.Drivers;

/// <summary>
/// nvme_map_data's choice, golden cases worked from drivers/nvme/host/pci.c: nvme_setup_prp_simple /
/// nvme_setup_sgl_simple and nvme_pci_use_sgls before 7ce3c1dd78fc (dmaIter off), nvme_pci_setup_data_simple and
/// nvme_pci_avg_seg_size after it.
/// </summary>
public class NvmeMapDataTests
{
    private const ulong K = 1024;
    private const ulong Threshold = NvmeMapData.DefaultSglThreshold;

    private static NvmeDataSetup Old(NvmeSglUse sgl, int phys, ulong offset, ulong bytes, int dma, ulong threshold = Threshold) =>
        NvmeMapData.Choose(sgl, threshold, phys, offset, bytes, dma, coalesced: dma == 1, dmaIter: false);

    private static NvmeDataSetup New(NvmeSglUse sgl, int phys, ulong offset, ulong bytes, bool coalesced, ulong threshold = Threshold) =>
        NvmeMapData.Choose(sgl, threshold, phys, offset, bytes, coalesced ? 1 : phys, coalesced);

    [Theory]
    [InlineData(NvmeSglUse.Unsupported)]
    [InlineData(NvmeSglUse.Supported)]
    public void A_4k_or_8k_segment_goes_into_prp1_and_prp2_in_both_generations(NvmeSglUse sgl)
    {
        // (offset & 4095) + len <= 8192: PRP1 and PRP2 describe it, whatever the queue allows.
        Assert.Equal(NvmeDataSetup.PrpSimple, Old(sgl, 1, 0, 4 * K, 1));
        Assert.Equal(NvmeDataSetup.PrpSimple, New(sgl, 1, 0, 4 * K, coalesced: true));
        Assert.Equal(NvmeDataSetup.PrpSimple, Old(sgl, 1, 0, 8 * K, 1));
        Assert.Equal(NvmeDataSetup.PrpSimple, New(sgl, 1, 512, 4 * K, coalesced: false)); // 512 + 4096 <= 8192
    }

    [Fact]
    public void A_segment_prps_cannot_hold_takes_an_inline_sgl_when_the_queue_has_sgls_else_the_general_path()
    {
        // 8 KiB starting 512 bytes into a page spans three controller pages.
        Assert.Equal(NvmeDataSetup.SglSimple, Old(NvmeSglUse.Supported, 1, 512, 8 * K, 1));
        Assert.Equal(NvmeDataSetup.SglSimple, New(NvmeSglUse.Supported, 1, 512, 8 * K, coalesced: true));
        Assert.Equal(NvmeDataSetup.Prp, Old(NvmeSglUse.Unsupported, 1, 512, 8 * K, 1));
        Assert.Equal(NvmeDataSetup.Prp, New(NvmeSglUse.Unsupported, 1, 512, 8 * K, coalesced: true));
    }

    [Fact]
    public void With_sgl_threshold_0_only_the_old_code_refuses_the_inline_sgl()
    {
        // Before: nvme_setup_sgl_simple needs sgl_threshold; after, data_simple does not ask it.
        Assert.Equal(NvmeDataSetup.Prp, Old(NvmeSglUse.Supported, 1, 0, 128 * K, 1, threshold: 0));
        Assert.Equal(NvmeDataSetup.SglSimple, New(NvmeSglUse.Supported, 1, 0, 128 * K, coalesced: true, threshold: 0));
    }

    [Fact]
    public void Many_segments_take_an_sgl_when_the_average_reaches_sgl_threshold()
    {
        // 128 KiB in 32 scattered pages. Through an IOMMU the request is one IOVA range (old: dma_map_sg merged it to
        // one segment; new: coalesced), an average of 128 KiB: SGL. Without one, 32 segments of 4 KiB: PRPs.
        Assert.Equal(NvmeDataSetup.Sgl, Old(NvmeSglUse.Supported, 32, 0, 128 * K, 1));
        Assert.Equal(NvmeDataSetup.Sgl, New(NvmeSglUse.Supported, 32, 0, 128 * K, coalesced: true));
        Assert.Equal(NvmeDataSetup.Prp, Old(NvmeSglUse.Supported, 32, 0, 128 * K, 32));
        Assert.Equal(NvmeDataSetup.Prp, New(NvmeSglUse.Supported, 32, 0, 128 * K, coalesced: false));
        // DIV_ROUND_UP(64 KiB, 2) = 32 KiB reaches the threshold; over three segments, 21846 bytes does not.
        Assert.Equal(NvmeDataSetup.Sgl, New(NvmeSglUse.Supported, 2, 0, 64 * K, coalesced: false));
        Assert.Equal(NvmeDataSetup.Prp, New(NvmeSglUse.Supported, 3, 0, 64 * K, coalesced: false));
    }

    [Fact]
    public void The_old_code_divides_by_the_mapped_segments_not_the_physical_ones()
    {
        // Four physical segments the IOMMU could not merge to fewer than 2: 64 KiB / 2 = 32 KiB -> SGL before;
        // the new code counts the 4 physical segments (no single IOVA range): 16 KiB -> PRPs.
        Assert.Equal(NvmeDataSetup.Sgl, Old(NvmeSglUse.Supported, 4, 0, 64 * K, 2));
        Assert.Equal(NvmeDataSetup.Prp, New(NvmeSglUse.Supported, 4, 0, 64 * K, coalesced: false));
    }

    [Fact]
    public void Forced_sgls_and_a_controller_without_them_decide_alone()
    {
        Assert.Equal(NvmeDataSetup.SglSimple, New(NvmeSglUse.Forced, 1, 0, 4 * K, coalesced: true));
        Assert.Equal(NvmeDataSetup.Sgl, New(NvmeSglUse.Forced, 32, 0, 128 * K, coalesced: false));
        Assert.Equal(NvmeDataSetup.Sgl, Old(NvmeSglUse.Forced, 32, 0, 4 * K, 32, threshold: 0));
        Assert.Equal(NvmeDataSetup.Prp, New(NvmeSglUse.Unsupported, 32, 0, 1024 * K, coalesced: true));
    }

    [Fact]
    public void Before_dff824b2aadb_every_request_takes_the_general_path()
    {
        Assert.Equal(NvmeDataSetup.Prp,
            NvmeMapData.Choose(NvmeSglUse.Unsupported, Threshold, 1, 0, 4 * K, 1, coalesced: true, singleSegment: false, dmaIter: false));
        Assert.Equal(NvmeDataSetup.Sgl,
            NvmeMapData.Choose(NvmeSglUse.Supported, Threshold, 1, 0, 128 * K, 1, coalesced: true, singleSegment: false, dmaIter: false));
    }

    [Fact]
    public void A_request_without_a_segment_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NvmeMapData.Choose(NvmeSglUse.Supported, Threshold, 0, 0, 4 * K, 1, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => NvmeMapData.Choose(NvmeSglUse.Supported, Threshold, 1, 0, 4 * K, 0, true));
    }
}

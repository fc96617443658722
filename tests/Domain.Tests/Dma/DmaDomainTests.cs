using Phyr.Domain.Dma;
using Phyr.Domain.Iommu;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Dma;

/// <summary>dma-iommu.c / dma-direct semantics, worked out by hand.</summary>
public class DmaDomainTests
{
    private const ulong K4 = 4096;
    private static readonly DeviceLimits Rdma = new() { MaxSegmentSize = 2UL << 30 };

    /// <summary>16 pages, no two contiguous: pfns 100, 102, ...</summary>
    private static List<PhysRange> Scattered(int n) => Enumerable.Range(0, n).Select(i => new PhysRange((100UL + 2 * (ulong)i) * K4, K4)).ToList();

    [Fact]
    public void Through_the_iommu_the_device_sees_one_segment_for_scattered_pages()
    {
        var d = new DmaDomain(IommuMode.Strict);
        var m = d.MapSg(0, Scattered(16), Rdma);
        Assert.Single(m.DeviceSegments);
        Assert.Equal(new PhysRange(m.IovaBase, 16 * K4), m.DeviceSegments[0]);
        Assert.Equal(16 * K4, m.IovaLength);
        Assert.Equal(16, m.IommuMapCalls);       // nothing physically contiguous to merge
        Assert.Equal(16, m.PtesWritten);
        Assert.Equal(RcacheOutcome.Miss, m.IovaAlloc!.Value.Cache);
        Assert.Equal(0UL, m.IovaBase % (16 * K4)); // size-aligned IOVA
        for (var i = 0; i < 16; i++)
            Assert.Equal((100UL + 2 * (ulong)i) * K4 + 5, d.PageTable.Translate(m.IovaBase + (ulong)i * K4 + 5));
    }

    [Fact]
    public void The_device_max_segment_size_cuts_the_merged_segments()
    {
        var m = new DmaDomain(IommuMode.Strict).MapSg(0, Scattered(16), new DeviceLimits { MaxSegmentSize = 16 * 1024 });
        Assert.Equal(4, m.DeviceSegments.Count);
        Assert.All(m.DeviceSegments, s => Assert.Equal(16 * 1024UL, s.Len));
    }

    [Fact]
    public void Physically_contiguous_neighbours_are_mapped_in_one_call()
    {
        List<PhysRange> sg = [new(0x10000, K4), new(0x11000, K4), new(0x20000, 2 * K4)];
        var d = new DmaDomain(IommuMode.Strict);
        var m = d.MapSg(0, sg, Rdma);
        Assert.Equal(2, m.IommuMapCalls);
        Assert.Equal(4 * K4, m.MappedLength);
        Assert.Equal([0x10000UL, 0x11000, 0x20000, 0x21000], Enumerable.Range(0, 4).Select(i => d.PageTable.Translate(m.IovaBase + (ulong)i * K4)!.Value));
    }

    [Fact]
    public void Without_translation_each_entry_is_its_physical_address()
    {
        foreach (var mode in new[] { IommuMode.None, IommuMode.Passthrough })
        {
            var m = new DmaDomain(mode).MapSg(0, Scattered(16), Rdma);
            Assert.Equal(Scattered(16), m.DeviceSegments);
            Assert.False(m.Translated);
            Assert.Equal(0, m.IommuMapCalls);
        }
    }

    [Fact]
    public void Segments_are_padded_so_that_none_crosses_the_boundary()
    {
        // Six 12 KiB segments, 64 KiB boundary: the fifth is padded to 16 KiB so the sixth starts on the boundary.
        var sg = Enumerable.Range(0, 6).Select(i => new PhysRange((ulong)(i + 1) * 0x100000, 3 * K4)).ToList();
        var m = new DmaDomain(IommuMode.Strict).MapSg(0, sg, new DeviceLimits { MaxSegmentSize = 1 << 20, SegmentBoundaryMask = 0xFFFF });
        Assert.Equal(76 * 1024UL, m.IovaLength);
        Assert.Equal([new PhysRange(m.IovaBase, 60 * 1024), new PhysRange(m.IovaBase + 64 * 1024, 12 * 1024)], m.DeviceSegments);
    }

    [Fact]
    public void An_offset_into_the_first_page_is_kept_in_the_dma_address()
    {
        List<PhysRange> sg = [new(0x10000 + 100, K4 - 100), new(0x30000, 50)];
        var m = new DmaDomain(IommuMode.Strict).MapSg(0, sg, Rdma);
        Assert.Equal([new PhysRange(m.IovaBase + 100, K4 - 100 + 50)], m.DeviceSegments);
    }

    [Fact]
    public void Phyr_strategies_map_the_same_bytes_with_different_costs()
    {
        List<PhysRange> phyrs = [new(0x100000, 3 * K4), new(0x200000, 5 * K4)];
        var compat = new DmaDomain(IommuMode.Strict).MapPhyrsCompat(0, phyrs, Rdma);
        var native = new DmaDomain(IommuMode.Strict).MapPhyrsNative(0, phyrs, Rdma);
        var link = new DmaDomain(IommuMode.Strict).MapIovaLink(0, phyrs, Rdma);
        Assert.Equal(2, compat.TemporarySgEntries);
        Assert.Equal(0, native.TemporarySgEntries);
        foreach (var m in new[] { compat, native, link })
        {
            Assert.Single(m.DeviceSegments);
            Assert.Equal(8 * K4, m.DeviceSegments[0].Len);
            Assert.Equal(2, m.IommuMapCalls);
            Assert.Equal(8, m.PtesWritten);
        }
        // Direct: the phyrs themselves.
        Assert.Equal(phyrs, new DmaDomain(IommuMode.Passthrough).MapPhyrsNative(0, phyrs, Rdma).DeviceSegments);
        Assert.Equal(phyrs, new DmaDomain(IommuMode.None).MapIovaLink(0, phyrs, Rdma).DeviceSegments);
    }

    [Fact]
    public void Strict_unmap_invalidates_at_once_and_frees_the_iova()
    {
        var d = new DmaDomain(IommuMode.Strict);
        var m = d.MapSg(0, Scattered(4), Rdma);
        var u = d.Unmap(0, m, now: 1000);
        Assert.Equal(4, u.PtesCleared);
        Assert.Equal(1, u.IotlbInvalidations);
        // Four iommu_map calls (nothing contiguous) but one iommu_unmap_fast of the 16 KiB range: one unmap_pages call.
        Assert.Equal((4L, 1L), (m.IommuMapCalls, u.UnmapCalls));
        Assert.Equal(RcacheOutcome.Loaded, Assert.Single(u.IovaFrees).Cache);
        Assert.Equal(DeviceAccess.Fault, d.Access(m.IovaBase));
        Assert.Equal(0, d.Iotlb.StaleWindow.Max);
    }

    [Fact]
    public void Lazy_unmap_leaves_a_stale_window_until_the_flush()
    {
        var d = new DmaDomain(IommuMode.Lazy);
        var m = d.MapSg(0, Scattered(4), Rdma);
        var u = d.Unmap(0, m, now: 1000);
        Assert.Equal(0, u.IotlbInvalidations);
        Assert.Empty(u.IovaFrees);
        Assert.True(u.ArmFlushTimer);
        Assert.Equal(DeviceAccess.Stale, d.Access(m.IovaBase + K4));   // the device can still reach it
        Assert.NotNull(d.Iova.Tree.Find(m.IovaBase >> 12));            // and the IOVA is not reusable yet

        var flush = d.FlushTimeout(0, now: 1000 + FlushQueue.DefaultTimeoutNs);
        Assert.Equal(1, flush.IotlbInvalidations);
        Assert.Single(flush.IovaFrees);
        Assert.Equal(DeviceAccess.Fault, d.Access(m.IovaBase + K4));
        Assert.Equal(FlushQueue.DefaultTimeoutNs, d.Iotlb.StaleWindow.Max, tolerance: FlushQueue.DefaultTimeoutNs / 500.0);
    }

    [Fact]
    public void A_full_flush_queue_flushes_and_frees_what_was_queued()
    {
        var fq = new FlushQueue(entriesPerCpu: 4);
        for (var i = 0; i < 4; i++) Assert.False(fq.Queue(0, (ulong)i, 1, i).Flushed);
        var fifth = fq.Queue(0, 4, 1, 10);
        Assert.True(fifth.Flushed);
        Assert.Equal([0UL, 1, 2, 3], fifth.Freed.Select(e => e.IovaPfn));
        Assert.Equal(1, fq.Pending);
        Assert.Equal(1, fq.Flushes);
    }
}

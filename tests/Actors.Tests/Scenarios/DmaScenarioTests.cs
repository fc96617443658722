using Phyr.Domain.Costs;
using Phyr.Actors.Scenarios;
using Phyr.Actors.Testing;
using Phyr.Domain.Dma;
using Phyr.Domain.Drivers.Nvme;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Results;

namespace Phyr.Actors.Tests.Scenarios;

/// <summary>Registration end to end: pin, describe, map, register, deregister, unmap, unpin.</summary>
public class DmaScenarioTests : EngineTestKit
{
    /// <summary>Through the scenario test kit, as a user's suite would.</summary>
    private MachineRun Run(Scenario s, int parallelism = 2) =>
        new SimulatedMachine(s, 3, parallelism).Run(Sys, TwoThreads);

    /// <summary>4 MiB of 4 KiB pages, no two frames contiguous.</summary>
    private static Scenario Rdma(DmaStrategy strategy, IommuMode mode) => new()
    {
        Name = "rdma", RegionBytes = 4UL << 20, Fragmentation = 1.0, Batch = strategy == DmaStrategy.Legacy ? 512 : 16,
        Call = strategy == DmaStrategy.Legacy ? GupCallKind.PinUserPages : GupCallKind.GetUserPhyrs,
        Gup = new GupOptions { Walk = GupWalk.Locked }, Dma = strategy, IommuMode = mode,
    };

    [Theory]
    [InlineData(DmaStrategy.Legacy)]
    [InlineData(DmaStrategy.PhyrCompat)]
    [InlineData(DmaStrategy.PhyrNative)]
    [InlineData(DmaStrategy.IovaLink)]
    public void Through_a_strict_iommu_every_strategy_gives_the_nic_one_segment(DmaStrategy strategy)
    {
        var r = Run(Rdma(strategy, IommuMode.Strict));
        Assert.Empty(r.Errors);
        Assert.Equal(1, r[Metric.DmaSegments]);
        Assert.Equal(1024, r[Metric.IommuPtesWritten]);  // one 4 KiB IO page per scattered page
        Assert.Equal(1, r[Metric.IovaAllocs]);
        Assert.Equal(1, r[Metric.IotlbInvalidations]);    // strict: at unmap
        Assert.Equal(0, r[Metric.StaleWindowNsMax]);
        Assert.Equal(1, r[Metric.DeviceEntries]);          // 4 MiB at a 4 MiB-aligned IOVA and VA: one 4 MiB device page
        Assert.Equal(2, r[Metric.DmaAccesses]);            // the NIC touched its MR's first and last byte
        Assert.Equal(0, r[Metric.DmaFaults] + r[Metric.DmaUnpinnedAccesses]);
        Assert.Equal(0, r[Metric.InvariantViolations]);
    }

    [Fact]
    public void The_cost_breakdown_puts_time_where_the_work_was()
    {
        var strict = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.Strict));
        var walks = strict[Metric.PagetableWalks] * CostModel.Default.Gup.WalkNs; // rounded per call
        Assert.InRange(strict[Metric.TimeWalkNs], walks * 0.95, walks * 1.05);
        Assert.Equal(0, strict[Metric.TimeLockWaitNs]);   // one CPU: no lock is ever contended
        Assert.True(strict[Metric.TimeAtomicsNs] >= 1024 * CostModel.Default.Gup.PinAtomicNs, "a pin atomic per scattered page");
        Assert.True(strict[Metric.TimeIovaNs] > 0);
        Assert.True(strict[Metric.TimeIoPagetableNs] > 0);
        Assert.True(strict[Metric.TimeIotlbNs] > 0, "strict unmap waits for its invalidation");

        var none = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.None));
        Assert.Equal(0, none[Metric.TimeIovaNs] + none[Metric.TimeIoPagetableNs] + none[Metric.TimeIotlbNs]);

        var shared = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.Strict) with { Cpus = 4, SharedRegion = true });
        Assert.True(shared[Metric.TimeLockWaitNs] > 0, "four CPUs pinning one region wait for its locks");
    }

    [Fact]
    public void Without_an_iommu_the_nic_sees_every_scattered_page()
    {
        var r = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.None));
        Assert.Equal(1024, r[Metric.DmaSegments]);
        Assert.Equal(1024, r[Metric.DeviceEntries]);       // 4 KiB device pages
        Assert.Equal(0, r[Metric.IommuPtesWritten]);
        Assert.Equal(0, r[Metric.IotlbInvalidations]);
    }

    [Fact]
    public void Lazy_mode_leaves_a_stale_window_and_strict_does_not()
    {
        var lazy = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.Lazy));
        var strict = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.Strict));
        Assert.Equal(FlushQueue.DefaultTimeoutNs, lazy[Metric.StaleWindowNsMax], tolerance: FlushQueue.DefaultTimeoutNs / 500.0);
        Assert.Equal(0, strict[Metric.StaleWindowNsMax]);
        Assert.True(lazy[Metric.SimTimeNs] < strict[Metric.SimTimeNs], "lazy unmap does not wait for the invalidation");
    }

    [Fact]
    public void Gpu_p2p_memory_fails_in_legacy_with_a_reason_and_works_with_phyrs()
    {
        var p2p = Rdma(DmaStrategy.Legacy, IommuMode.Strict) with { Backing = Backing.DeviceMemory };
        var legacy = Run(p2p);
        Assert.Contains("no struct page", Assert.Single(legacy.Errors));
        var native = Run(p2p with { Dma = DmaStrategy.PhyrNative, Call = GupCallKind.GetUserPhyrs, Batch = 16 });
        Assert.Empty(native.Errors);
        Assert.Equal(1, native[Metric.DmaSegments]);
        Assert.Equal(0, native[Metric.PagesPinned]);
    }

    [Fact]
    public void The_legacy_scatterlist_is_the_biggest_descriptor()
    {
        var legacy = Run(Rdma(DmaStrategy.Legacy, IommuMode.Strict));
        var native = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.Strict));
        var link = Run(Rdma(DmaStrategy.IovaLink, IommuMode.Strict));
        // 1024 scattered pages: page array (512 x 8) + 1024 sg entries (32 B, chained) vs 1024 phyrs (16 B) vs one batch.
        Assert.True(legacy[Metric.DescriptorBytesPeak] > native[Metric.DescriptorBytesPeak]);
        Assert.True(native[Metric.DescriptorBytesPeak] > link[Metric.DescriptorBytesPeak]);
        Assert.Equal(16 * 16, link[Metric.DescriptorBytesPeak]);
    }

    [Fact]
    public void Sixteen_cpus_registering_at_once_queue_on_the_iommu()
    {
        var r = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.Strict) with { Cpus = 16 }, parallelism: 4);
        Assert.Equal(16, r[Metric.IotlbInvalidations]);
        Assert.Equal(16, r[Metric.IovaAllocs]);
        Assert.Empty(r.Errors);
        var one = Run(Rdma(DmaStrategy.PhyrNative, IommuMode.Strict) with { Cpus = 16 }, parallelism: 1);
        Assert.Equal(one.Metrics, r.Metrics);
    }

    [Fact]
    public void A_vfio_guest_maps_each_contiguous_run_at_its_guest_physical_address()
    {
        var scattered = Run(new Scenario
        {
            Name = "vfio", RegionBytes = 4UL << 20, Fragmentation = 1.0, Call = GupCallKind.PinUserPages, Batch = 512,
            Device = DeviceKind.Vfio,
        });
        Assert.Empty(scattered.Errors);
        Assert.Equal(1024, scattered[Metric.IommuPtesWritten]);  // every scattered page its own 4 KiB IO page
        Assert.Equal(0, scattered[Metric.IovaAllocs]);            // guest-physical IOVAs: no allocator
        Assert.Equal(2, scattered[Metric.IotlbInvalidations]);      // vfio_unmap_unpin syncs every 512 runs: 1,024 runs, two syncs
        Assert.Equal(0, scattered[Metric.InvariantViolations]);
        // VFIO_IOMMU_MAP_DMA and UNMAP_DMA are timed apart, and together are the thread's whole pass.
        Assert.True(scattered[Metric.VfioMapDmaNs] > 0 && scattered[Metric.VfioUnmapDmaNs] > 0);
        Assert.Equal(scattered[Metric.PinNsPerPage] * 1024, scattered[Metric.VfioMapDmaNs] + scattered[Metric.VfioUnmapDmaNs], 0.5);

        // 4 GiB of 1 GiB hugetlb pages in one aligned run: four 1 GiB IO pages, one iommu_map.
        var huge = Run(new Scenario
        {
            Name = "vfio-huge", Backing = Backing.Hugetlb1G, RegionBytes = 4UL << 30, Fragmentation = 0, Call = GupCallKind.PinUserPages,
            Batch = 512, Device = DeviceKind.Vfio,
        });
        Assert.Equal(4, huge[Metric.IommuPtesWritten]);
        Assert.Equal(1, huge[Metric.IommuMapCalls]);
    }

    [Fact]
    public void A_guests_folios_are_dirtied_once_at_the_unmap_or_at_the_map_when_read_in()
    {
        // put_pfn of a writable mapping dirties each clean folio (three atomics); a read-populated buffer's folios were
        // dirtied by the writing pin (one atomic each), and its unmap has none to do.
        Scenario Guest(bool written) => new()
        {
            Name = "vfio", RegionBytes = 4UL << 20, Fragmentation = 0, Call = GupCallKind.PinUserPages, Batch = 512,
            Gup = new GupOptions { Walk = GupWalk.Locked }, Device = DeviceKind.Vfio, PrefaultWrites = written,
        };
        var memset = Run(Guest(written: true));
        var populated = Run(Guest(written: false));
        var atomic = CostModel.Default.Gup.PinAtomicNs;
        // Within a nanosecond a page: every lock hold's time is rounded to whole nanoseconds.
        Assert.Equal(1024 * atomic, populated[Metric.VfioMapDmaNs] - memset[Metric.VfioMapDmaNs], 1024.0);
        Assert.Equal(3 * 1024 * atomic, memset[Metric.VfioUnmapDmaNs] - populated[Metric.VfioUnmapDmaNs], 1024.0);
    }

    private static Scenario Nvme(IommuMode mode, ulong ioBytes, bool sgl, int cpus = 1) => new()
    {
        Name = "nvme", Cpus = cpus, RegionBytes = ioBytes * 8, Fragmentation = 1.0, Call = GupCallKind.PinUserPages,
        Device = DeviceKind.Nvme, Dma = DmaStrategy.Legacy, IommuMode = mode,
        Nvme = new NvmeWorkload { IoBytes = ioBytes, QueueDepth = 8, Ios = 200, Sgl = sgl ? NvmeSglUse.Forced : NvmeSglUse.Unsupported },
    };

    [Fact]
    public void Nvme_io_under_a_strict_iommu_pays_an_invalidation_per_io()
    {
        var strict = Run(Nvme(IommuMode.Strict, 4096, sgl: false));
        var passthrough = Run(Nvme(IommuMode.Passthrough, 4096, sgl: false));
        Assert.Equal(200, strict[Metric.Ios]);
        Assert.Equal(200, strict[Metric.IotlbInvalidations]);
        Assert.Equal(0, passthrough[Metric.IotlbInvalidations]);
        Assert.True(passthrough[Metric.Iops] > 2 * strict[Metric.Iops], $"{passthrough[Metric.Iops]} vs {strict[Metric.Iops]}");
        Assert.Equal(0, strict[Metric.InvariantViolations]);
        Assert.Equal(200, strict[Metric.PagesPinned]);
    }

    [Fact]
    public void Nvme_map_data_takes_sgls_for_large_requests_through_the_iommu_and_maps_single_pages_into_the_command()
    {
        static Scenario Auto(IommuMode mode, ulong ioBytes) =>
            Nvme(mode, ioBytes, sgl: false) is var s ? s with { Nvme = s.Nvme with { Sgl = NvmeSglUse.Supported } } : null!;
        // 128 KiB over 32 scattered pages: through the IOMMU one IOVA range (an average of 128 KiB, over sgl_threshold),
        // one SGL data descriptor; without it 32 segments of 4 KiB, PRPs.
        var strict = Run(Auto(IommuMode.Strict, 128 * 1024));
        Assert.Equal(200, strict[Metric.NvmeSglIos]);
        Assert.Equal(200, strict[Metric.DeviceEntries]);
        var direct = Run(Auto(IommuMode.None, 128 * 1024));
        Assert.Equal(0, direct[Metric.NvmeSglIos]);
        Assert.Equal(200 * 32, direct[Metric.DeviceEntries]);
        // A 4 KiB I/O is one segment: PRP1 in the command, whatever the queue allows.
        var small = Run(Auto(IommuMode.Strict, 4096));
        Assert.Equal(200, small[Metric.NvmeSingleSegmentIos]);
        Assert.Equal(0, small[Metric.NvmeSglIos]);
        Assert.Equal(0, strict[Metric.NvmeSingleSegmentIos]);
    }

    [Fact]
    public void Through_the_iommu_an_sgl_needs_one_entry_where_prps_need_one_per_page()
    {
        var prp = Run(Nvme(IommuMode.Strict, 128 * 1024, sgl: false));
        var sgl = Run(Nvme(IommuMode.Strict, 128 * 1024, sgl: true));
        Assert.Equal(200 * 32, prp[Metric.DeviceEntries]);  // a PRP per 4 KiB page
        Assert.Equal(200, sgl[Metric.DeviceEntries]);        // one data block: the IOVA range is contiguous
        var direct = Run(Nvme(IommuMode.None, 128 * 1024, sgl: true));
        Assert.Equal(200 * 32, direct[Metric.DeviceEntries]); // scattered pages: a descriptor each
    }

    [Fact]
    public void Fixed_buffers_pin_the_buffer_once_and_leave_each_io_its_map_and_unmap()
    {
        // 16 KiB reads at QD 128 through a passthrough IOMMU on a link too fast to be the bottleneck: the CPU is, and the
        // pin and unpin of four pages are a part of each I/O's CPU time that fixed buffers take away.
        var s = Nvme(IommuMode.Passthrough, 16 * 1024, sgl: false) with
        {
            RegionBytes = 128 * 16 * 1024,
            Nvme = new NvmeWorkload { IoBytes = 16 * 1024, QueueDepth = 128, Ios = 2000, BytesPerSecond = 1_000_000_000_000 },
        };
        var perIo = Run(s);
        var fixedBuffers = Run(s with { Nvme = s.Nvme with { FixedBuffers = true } });
        Assert.Equal(2000 * 4, perIo[Metric.PagesPinned]);      // every I/O pins its four pages
        Assert.Equal(128 * 4, fixedBuffers[Metric.PagesPinned]); // the registered buffer: 128 slots of four pages, once
        Assert.Equal(0, fixedBuffers[Metric.InvariantViolations]);
        Assert.Equal(2000, fixedBuffers[Metric.Ios]);
        Assert.True(fixedBuffers[Metric.Iops] > perIo[Metric.Iops], $"{fixedBuffers[Metric.Iops]} <= {perIo[Metric.Iops]}");
    }

    [Fact]
    public void Nvme_results_do_not_depend_on_parallelism()
    {
        var one = Run(Nvme(IommuMode.Lazy, 8192, sgl: false, cpus: 3), parallelism: 1);
        var three = Run(Nvme(IommuMode.Lazy, 8192, sgl: false, cpus: 3), parallelism: 3);
        Assert.Equal(one.Metrics, three.Metrics);
        Assert.Equal(3 * 200, one[Metric.Ios]);
    }
}

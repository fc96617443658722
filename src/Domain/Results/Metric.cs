using Phyr.Domain.Descriptors;

namespace Phyr.Domain.Results;

/// <summary>
/// A metric of a run: its name in results.json, results.csv and reports, its unit and what it means. This file
/// is the catalogue — every metric Phyr reports, in the order results list them — and the only place a metric's
/// name is written (docs/scenarios.md's table is checked against it). The layout metrics (<see cref="Layout"/>)
/// are reported only by runs that describe their layout.
/// </summary>
public sealed record Metric(string Name, string Unit, string Meaning, string? Label = null)
{
    public static readonly Metric SimTimeNs = new("sim_time_ns", "ns", "virtual time when the last CPU finished unpinning", "simulated time");
    public static readonly Metric PagesPinned = new("pages_pinned", "pages", "pages pinned (device memory is described, not pinned)");
    public static readonly Metric PinNsPerPage = new("pin_ns_per_page", "ns/page", "each CPU's pin-and-unpin time over its pages, averaged", "pin time per page");
    public static readonly Metric GupCalls = new("gup_calls", "calls", "GUP calls made (pin_user_pages or get_user_phyrs; an NVMe I/O makes one)");
    public static readonly Metric PagetableWalks = new("pagetable_walks", "walks", "walks from the top of the page tables");
    public static readonly Metric FastPathPages = new("fast_path_pages", "pages", "pages the lockless fast path pinned");
    public static readonly Metric LockedPathPages = new("locked_path_pages", "pages", "pages the locked path pinned");
    public static readonly Metric Faults = new("faults", "faults", "page faults taken by GUP calls");
    public static readonly Metric PinAtomics = new("pin_atomics", "atomics", "atomics on folio refcounts and pincounts");
    public static readonly Metric PtlAcquisitions = new("ptl_acquisitions", "acquisitions", "split PTE locks taken");
    public static readonly Metric PtlContended = new("ptl_contended", "acquisitions", "split PTE locks that had to wait");
    public static readonly Metric PtlWaitNsP99 = new("ptl_wait_ns_p99", "ns", "PTE lock wait, 99th percentile (measured at the locks)");
    public static readonly Metric PtlWaitNsMax = new("ptl_wait_ns_max", "ns", "PTE lock wait, longest");
    public static readonly Metric HugeLockAcquisitions = new("huge_lock_acquisitions", "acquisitions", "PMD-table (or page_table_lock) locks of huge entries taken");
    public static readonly Metric HugeLockWaitNsP99 = new("huge_lock_wait_ns_p99", "ns", "huge-entry lock wait, 99th percentile");
    public static readonly Metric MmapLockAcquisitions = new("mmap_lock_acquisitions", "acquisitions", "mmap_lock taken (for read)");
    public static readonly Metric MmapLockWaitNsP99 = new("mmap_lock_wait_ns_p99", "ns", "mmap_lock wait, 99th percentile");
    public static readonly Metric VmaLockAcquisitions = new("vma_lock_acquisitions", "acquisitions", "per-VMA locks taken");
    public static readonly Metric CachelineTransfers = new("cacheline_transfers", "transfers",
        "transfers of the shared lines: mm flags, mmap_lock's and the VMA locks' count lines", "cache-line transfers");
    public static readonly Metric DescriptorBytesPeak = new("descriptor_bytes_peak", "bytes",
        "descriptors held at their largest, summed over CPUs: the call's output array, plus the scatterlist (legacy), the phyr list " +
        "(phyr strategies) or the temporary scatterlist (compat)", "descriptor bytes");
    public static readonly Metric OutputEntries = new("output_entries", "entries", "pages (page arrays) or phyrs returned");
    public static readonly Metric IovaAllocs = new("iova_allocs", "allocations", "IOVA allocations");
    public static readonly Metric IovaRcacheHits = new("iova_rcache_hits", "allocations", "IOVA allocations a per-CPU cache served");
    public static readonly Metric IovaTreeWaitNsP99 = new("iova_tree_wait_ns_p99", "ns", "waits for the IOVA rbtree lock, 99th percentile");
    public static readonly Metric IommuMapCalls = new("iommu_map_calls", "calls", "map_pages calls");
    public static readonly Metric IommuPtesWritten = new("iommu_ptes_written", "PTEs", "IO page-table entries written");
    public static readonly Metric IotlbInvalidations = new("iotlb_invalidations", "invalidations", "IOTLB invalidations (per strict unmap, per lazy flush)");
    public static readonly Metric IotlbWaitNsP99 = new("iotlb_wait_ns_p99", "ns", "waits for the IOMMU's invalidation queue, 99th percentile");
    public static readonly Metric StaleWindowNsMax = new("stale_window_ns_max", "ns",
        "lazy mode: longest time an unmapped IOVA stayed reachable until its flush (0 in strict mode)");
    public static readonly Metric DmaSegments = new("dma_segments", "segments", "segments the device was given");
    public static readonly Metric VfioMapDmaNs = new("vfio_map_dma_ns", "ns", "VFIO: VFIO_IOMMU_MAP_DMA's time (pin and map the guest's memory), mean over CPUs");
    public static readonly Metric VfioUnmapDmaNs = new("vfio_unmap_dma_ns", "ns", "VFIO: VFIO_IOMMU_UNMAP_DMA's time (unmap and unpin it), mean over CPUs");
    public static readonly Metric DeviceEntries = new("device_entries", "entries", "translation entries the NIC wrote, or NVMe PRP/SGL entries");
    public static readonly Metric Ios = new("ios", "I/Os", "NVMe: I/Os done");
    public static readonly Metric Iops = new("iops", "I/Os per s", "NVMe: I/Os per simulated second", "IOPS");
    public static readonly Metric IoLatencyNsP50 = new("io_latency_ns_p50", "ns", "NVMe: submit-to-unpin latency of an I/O, median");
    public static readonly Metric IoLatencyNsP99 = new("io_latency_ns_p99", "ns", "NVMe: submit-to-unpin latency of an I/O, 99th percentile");
    public static readonly Metric NvmeListBytesPeak = new("nvme_list_bytes_peak", "bytes",
        "NVMe: PRP/SGL descriptor bytes (command pointer and list pages) with every slot in flight");
    public static readonly Metric NvmeSglIos = new("nvme_sgl_ios", "I/Os", "NVMe: I/Os whose data nvme_map_data described with SGL descriptors (the rest: PRPs)");
    public static readonly Metric NvmeSingleSegmentIos = new("nvme_single_segment_ios", "I/Os",
        "NVMe: I/Os of one physical segment mapped without the general path (dma_map_bvec into PRP1/PRP2 or an inline SGL descriptor)");
    public static readonly Metric DmaAccesses = new("dma_accesses", "accesses",
        "device accesses checked (the first and last byte of every segment, when an NVMe transfer moves its data or once an MR is registered)");
    public static readonly Metric DmaFaults = new("dma_faults", "accesses", "device accesses that hit no IOMMU mapping");
    public static readonly Metric DmaStaleAccesses = new("dma_stale_accesses", "accesses", "device accesses that hit a stale IOTLB entry");
    public static readonly Metric DmaUnpinnedAccesses = new("dma_unpinned_accesses", "accesses", "device accesses that reached a page with no pin");
    public static readonly Metric TimeWalkNs = new("time_walk_ns", "ns", "CPU time in walks from the top of the page tables, summed over CPUs", "walks");
    public static readonly Metric TimeLockWaitNs = new("time_lock_wait_ns", "ns", "CPU time waiting for locks, summed over CPUs", "lock wait");
    public static readonly Metric TimeAtomicsNs = new("time_atomics_ns", "ns", "CPU time in pin atomics and unpin puts, summed over CPUs", "pin atomics and puts");
    public static readonly Metric TimeIovaNs = new("time_iova_ns", "ns", "time requesters spent on IOVA allocations and frees", "IOVA");
    public static readonly Metric TimeIoPagetableNs = new("time_io_pagetable_ns", "ns", "time requesters spent writing and clearing IO page-table entries", "IO page table");
    public static readonly Metric TimeIotlbNs = new("time_iotlb_ns", "ns", "time requesters waited for IOTLB invalidations", "IOTLB");
    public static readonly Metric Events = new("events", "events", "simulation events handled");
    public static readonly Metric InvariantViolations = new("invariant_violations", "violations",
        "CPUs that did not finish or whose unpins do not match their pins, unpins of pages not pinned (a pin count going negative), folios " +
        "still pinned at teardown, and device accesses that faulted, went stale or reached an unpinned page");

    /// <summary>With layout.describe: the physical ranges of CPU 0's region as the run left it.</summary>
    public static readonly Metric LayoutRanges = new("layout_ranges", "ranges", "with layout.describe: physically contiguous ranges of CPU 0's region");

    /// <summary>The prefix of the per-format metrics (<see cref="FormatBytes(DescriptorFormat)"/>).</summary>
    public const string FormatBytesPrefix = "format_bytes_";

    /// <summary>With layout.describe: bytes <paramref name="format"/> needs to describe CPU 0's region (the device's max segment applies).</summary>
    public static Metric FormatBytes(DescriptorFormat format) =>
        new(FormatBytesPrefix + format.Name.Replace('-', '_'), "bytes", $"with layout.describe: bytes of the {format.Name} description of CPU 0's region");

    /// <summary>The bytes metric of the format named <paramref name="format"/> ("phyr", "page-array", ...).</summary>
    public static Metric FormatBytes(string format) => FormatBytes(DescriptorFormat.Get(format));

    /// <summary>The descriptor format a <see cref="FormatBytes(DescriptorFormat)"/> metric name is about ("page-array"), or null.</summary>
    public static string? FormatOf(string metricName) =>
        metricName.StartsWith(FormatBytesPrefix, StringComparison.Ordinal) ? metricName[FormatBytesPrefix.Length..].Replace('_', '-') : null;

    /// <summary>Every metric every run reports, in the order results list them.</summary>
    public static IReadOnlyList<Metric> All { get; } =
    [
        SimTimeNs, PagesPinned, PinNsPerPage, GupCalls, PagetableWalks, FastPathPages, LockedPathPages, Faults, PinAtomics,
        PtlAcquisitions, PtlContended, PtlWaitNsP99, PtlWaitNsMax, HugeLockAcquisitions, HugeLockWaitNsP99, MmapLockAcquisitions,
        MmapLockWaitNsP99, VmaLockAcquisitions, CachelineTransfers, DescriptorBytesPeak, OutputEntries, IovaAllocs, IovaRcacheHits,
        IovaTreeWaitNsP99, IommuMapCalls, IommuPtesWritten, IotlbInvalidations, IotlbWaitNsP99, StaleWindowNsMax, DmaSegments,
        VfioMapDmaNs, VfioUnmapDmaNs, DeviceEntries, Ios, Iops, IoLatencyNsP50, IoLatencyNsP99, NvmeListBytesPeak, NvmeSglIos, NvmeSingleSegmentIos, DmaAccesses, DmaFaults, DmaStaleAccesses,
        DmaUnpinnedAccesses, TimeWalkNs, TimeLockWaitNs, TimeAtomicsNs, TimeIovaNs, TimeIoPagetableNs, TimeIotlbNs, Events,
        InvariantViolations,
    ];

    /// <summary>The metrics of a run that describes its layout, after <see cref="All"/>: the ranges, then each format's bytes.</summary>
    public static IReadOnlyList<Metric> Layout { get; } = [LayoutRanges, .. DescriptorFormat.All.Select(FormatBytes)];

    /// <summary>The columns of report.md's point table (when the points have them).</summary>
    public static IReadOnlyList<Metric> ReportColumns { get; } =
        [SimTimeNs, PinNsPerPage, GupCalls, PtlAcquisitions, MmapLockWaitNsP99, CachelineTransfers, DescriptorBytesPeak, Iops];

    /// <summary>The metrics report.md gives each axis's effect on.</summary>
    public static IReadOnlyList<Metric> Effects { get; } = [SimTimeNs, Iops, PinNsPerPage, TimeLockWaitNs, CachelineTransfers, DescriptorBytesPeak];

    /// <summary>The columns of the dashboard's point and comparison tables (served at /api/metrics).</summary>
    public static IReadOnlyList<Metric> DashboardColumns { get; } =
        [SimTimeNs, PinNsPerPage, GupCalls, TimeLockWaitNs, CachelineTransfers, DescriptorBytesPeak, Iops];

    /// <summary>Where each CPU's time went (the cost-breakdown plot's stacks).</summary>
    public static IReadOnlyList<Metric> TimeBreakdown { get; } = [TimeWalkNs, TimeLockWaitNs, TimeAtomicsNs, TimeIovaNs, TimeIoPagetableNs, TimeIotlbNs];

    /// <summary>A metric of the catalogue by name (a layout metric too), or null.</summary>
    public static Metric? Find(string name) => ByName.GetValueOrDefault(name);

    private static readonly Dictionary<string, Metric> ByName = All.Concat(Layout).ToDictionary(m => m.Name, StringComparer.Ordinal);

    public override string ToString() => Name;
}

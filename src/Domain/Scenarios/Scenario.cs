using Phyr.Domain.Costs;
using Phyr.Domain.Dma;
using Phyr.Domain.Kernels;
using Phyr.Domain.Machines;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Scenarios;

/// <summary>The device the memory is for: an RDMA NIC registering MRs, or a VFIO guest's assigned device.</summary>
public enum DeviceKind { Rdma, Vfio, Nvme }

/// <summary>An NVMe workload: O_DIRECT I/Os of <see cref="IoBytes"/> at a queue depth, per CPU.</summary>
public sealed record NvmeWorkload
{
    public ulong IoBytes { get; init; } = 4096;
    public int QueueDepth { get; init; } = 32;
    public int Ios { get; init; } = 10_000;

    /// <summary>Whether the controller's I/O queues take SGLs (nvme.descriptor: prp — a controller without them, sgl — forced, auto).</summary>
    public Drivers.Nvme.NvmeSglUse Sgl { get; init; } = Drivers.Nvme.NvmeSglUse.Unsupported;

    /// <summary>The sgl_threshold module parameter: the average segment from which SGLs are taken (0: never by size).</summary>
    public ulong SglThreshold { get; init; } = Drivers.Nvme.NvmeMapData.DefaultSglThreshold;

    /// <summary>nvme_map_data maps a one-segment request without a scatterlist (dff824b2aadb, Linux 5.2).</summary>
    public bool SingleSegment { get; init; } = true;

    /// <summary>nvme-pci maps with the DMA iterator, not a scatterlist (7ce3c1dd78fc, Linux 6.17): it changes the SGL choice's inputs.</summary>
    public bool DmaIter { get; init; } = true;

    public Drivers.Nvme.NvmeDataPolicy DataPolicy => new(Sgl, SglThreshold, SingleSegment, DmaIter);

    /// <summary>io_uring registered (fixed) buffers: pinned once before the I/O and unpinned after it, mapped per I/O.</summary>
    public bool FixedBuffers { get; init; }

    /// <summary>Medium latency per command (assumed: a flash read, ~10 µs).</summary>
    public long LatencyNs { get; init; } = 10_000;

    /// <summary>PCIe link bandwidth (assumed: Gen4 x4, ~7 GB/s).</summary>
    public ulong BytesPerSecond { get; init; } = 7_000_000_000;
}

/// <summary>
/// One simulated machine and workload: one process whose <see cref="Cpus"/> threads each pin their own region of
/// <see cref="RegionBytes"/> (or one shared region) batch by batch, describe and map it for a device (RDMA, NVMe
/// O_DIRECT, a VFIO guest), then unmap and unpin it.
/// </summary>
public sealed record Scenario
{
    public required string Name { get; init; }
    public int Cpus { get; init; } = 1;

    /// <summary>All CPUs pin the same region (gup_test -j) instead of one each.</summary>
    public bool SharedRegion { get; init; }
    public int CpusPerSocket { get; init; } = 64;
    public ulong RegionBytes { get; init; } = 1UL << 30;
    public Backing Backing { get; init; } = Backing.Anon4K;

    /// <summary>The fragmentation model's break probability for the frames faults get (ignored with <see cref="PfnFile"/>).</summary>
    public double Fragmentation { get; init; } = 0.5;

    /// <summary>A pfn file to take 4 KiB frames from instead of the model (resolved path).</summary>
    public string? PfnFile { get; init; }

    public GupCallKind Call { get; init; } = GupCallKind.GetUserPhyrs;
    public int Batch { get; init; } = 512;

    /// <summary>Describe CPU 0's region in every descriptor format at the end of the run (metrics format_bytes_*).</summary>
    public bool DescribeLayout { get; init; }

    /// <summary>A batch with no limit: one call takes the whole region, into an array sized to what it returns.</summary>
    public const int UnlimitedBatch = GupCallerPlan.Unlimited;
    public bool Prefault { get; init; } = true;

    /// <summary>
    /// The prefault writes every page (a memset: dirty PTEs), or reads them (MAP_POPULATE of a shared mapping:
    /// populate_vma_page_range asks no FOLL_WRITE there, so the PTEs stay clean).
    /// </summary>
    public bool PrefaultWrites { get; init; } = true;

    public GupOptions Gup { get; init; } = new();

    /// <summary>Huge-entry locks are per PMD table (split PMD locks) rather than the mm's page_table_lock.</summary>
    public bool SplitPmdLocks { get; init; } = true;

    /// <summary>Every pin call writes the mm's MMF_HAS_PINNED flag line (kernels before the has_pinned fix).</summary>
    public bool HasPinnedWrite { get; init; }

    /// <summary>How the pinned memory is mapped for the device, or null to pin and unpin only.</summary>
    public DmaStrategy? Dma { get; init; }

    public IommuMode IommuMode { get; init; } = IommuMode.Strict;

    public DeviceKind Device { get; init; } = DeviceKind.Rdma;

    public NvmeWorkload Nvme { get; init; } = new();

    /// <summary>The machine the costs are made of (hardware facts with their sources).</summary>
    public MachineProfile Machine { get; init; } = MachineProfiles.Default;

    /// <summary>The kernel version whose profile set the feature switches (null: today's defaults, switches as given).</summary>
    public KernelVersion? Kernel { get; init; }

    /// <summary>A cost-model file's overrides, applied after the machine's costs (what-if runs).</summary>
    public CostOverrides CostOverrides { get; init; } = CostOverrides.None;

    /// <summary>
    /// The cost model: the machine's, for this workload's struct pages and page tables (a region whose memmap fits in the
    /// LLC keeps it there), with the overrides applied.
    /// </summary>
    public CostModel Costs => CostOverrides.Apply(CostModel.Derive(Machine, KernelCode.Default, MemmapBytes, IommuPt, Backing.FolioBytes()));

    /// <summary>VFIO type1 pins a batch of 512 pages per pin_user_pages_remote (4d83de6da265, 5.12) instead of one.</summary>
    public bool VfioBatchPin { get; init; } = true;

    /// <summary>ib_umem_release unpins a range per scatterlist entry (1d4b0166e363, 5.12) instead of each page.</summary>
    public bool UmemRangeUnpin { get; init; } = true;

    /// <summary>VFIO type1's pin loop counts contiguous pages by comparing page pointers (f6c84a52cc41, 6.18) instead of checking each page's struct page.</summary>
    public bool VfioContigBatch { get; init; } = true;

    /// <summary>VFIO type1 unpins each unmapped run as one range (d14de5b92578, 6.18) instead of put_pfn per page.</summary>
    public bool VfioRangeUnpin { get; init; } = true;

    /// <summary>The IO page table is the generic one (iommupt, Linux 6.19), whose map keeps its position across a call's leaves.</summary>
    public bool IommuPt { get; init; } = true;

    /// <summary>The struct pages (64 B) and PTEs (8 B) of the memory the CPUs pin.</summary>
    public ulong MemmapBytes => (RegionBytes >> 12) * 72 * (SharedRegion ? 1UL : (ulong)Math.Max(1, Cpus));

    /// <summary>The device's max segment size (an RDMA NIC sets 2 GiB).</summary>
    public ulong DeviceMaxSegment { get; init; } = 2UL << 30;

    /// <summary>Every value at its default (a kernel of today: the feature switches' defaults).</summary>
    public static readonly Scenario Defaults = new() { Name = "defaults" };

    /// <summary>The most memory one CPU's region may have.</summary>
    public const ulong MaxRegionBytes = 1UL << 40;

    /// <summary>
    /// What the machine cannot be built with, by scenario key, in the order a file reader reports them — the one
    /// place these rules are: the scenario file reader turns each into file:line: key: problem, the machine
    /// builder refuses a scenario written in code with the same words. Checks of a single value's form (a number,
    /// a byte count, one of a list) are the reader's.
    /// </summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (Cpus is < 1 or > 4096) yield return ("cpus", $"{Cpus} is not between 1 and 4096");
        if (CpusPerSocket is < 1 or > 4096) yield return ("cpus-per-socket", $"{CpusPerSocket} is not between 1 and 4096");
        if (RegionBytes == 0 || RegionBytes % Backing.FolioBytes() != 0)
            yield return ("region", $"must be a positive multiple of the {Backing.Name()} page size ({Backing.FolioBytes()} bytes)");
        if (RegionBytes > MaxRegionBytes) yield return ("region", "must be at most 1T per CPU");
        if (Fragmentation is < 0 or > 1 || double.IsNaN(Fragmentation)) yield return ("layout.fragmentation", $"{Fragmentation} is not between 0 and 1");
        if (PfnFile is not null && Backing != Backing.Anon4K) yield return ("layout.pfns", "gives 4 KiB frames: use it with backing = anon-4k");
        if (Batch < 1) yield return ("gup.batch", $"{Batch} is not at least 1");
        if (Dma == DmaStrategy.Legacy && Call != GupCallKind.PinUserPages)
            yield return ("dma.strategy", "legacy maps a page array: it needs gup.call = pin_user_pages");
        if (Dma is DmaStrategy.PhyrCompat or DmaStrategy.PhyrNative && Call != GupCallKind.GetUserPhyrs)
            yield return ("dma.strategy", "the phyr strategies map phyrs: they need gup.call = get_user_phyrs");
        if (SharedRegion && Device is DeviceKind.Vfio or DeviceKind.Nvme)
            yield return ("shared-region", "VFIO guests and NVMe buffers are per CPU: a shared region applies to pinning and RDMA");
        if (Device == DeviceKind.Nvme)
        {
            if (Dma is null) yield return ("dma.strategy", "NVMe maps every I/O: give legacy, phyr-compat, phyr-native or iova-link");
            if (Nvme.IoBytes == 0 || Nvme.IoBytes % 4096 != 0 || Nvme.IoBytes > 1UL << 30) yield return ("nvme.io-size", "must be a multiple of 4K, at most 1G");
            if (Nvme.BytesPerSecond == 0) yield return ("nvme.bandwidth", "must be positive");
            if (!Prefault) yield return ("prefault", "NVMe buffers are faulted in before the I/O starts");
            if (Gup.Walk == GupWalk.Locked)
                yield return ("gup.walk", "O_DIRECT pins its buffers with the fast (lockless) walk: leave gup.walk out or give fast");
            if (RegionBytes < (ulong)Nvme.QueueDepth * Nvme.IoBytes) yield return ("region", "must hold a buffer slot per I/O in flight (io-size x queue-depth)");
            if (Backing == Backing.DeviceMemory && Call == GupCallKind.PinUserPages)
                yield return ("backing", "O_DIRECT pins its buffers with pin_user_pages, which fails on device memory (no struct page): give gup.call = get_user_phyrs");
        }
        if (Device == DeviceKind.Vfio && Dma is not null)
            yield return ("dma.strategy", "VFIO maps the guest's memory itself: leave dma.strategy out with device = vfio");
        if (Device == DeviceKind.Vfio && !IommuMode.Translates()) yield return ("iommu.mode", "VFIO needs a translating IOMMU domain: strict or lazy");
        if (DeviceMaxSegment < 4096 || DeviceMaxSegment > uint.MaxValue) yield return ("device.max-segment", "must be between 4K and 4294967295 bytes");
        foreach (var (key, problem) in Machine.Problems()) yield return ($"machine: {key}", problem);
        foreach (var (key, problem) in Costs.Problems()) yield return ($"cost-model: {key}", problem);
    }
}

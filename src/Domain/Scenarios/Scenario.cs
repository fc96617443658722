using Phyr.Domain.Dma;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Scenarios;

/// <summary>Which GUP call the walkers make.</summary>
public enum GupCallKind { PinUserPages, GetUserPhyrs }

/// <summary>The device the memory is for: an RDMA NIC registering MRs, or a VFIO guest's assigned device.</summary>
public enum DeviceKind { Rdma, Vfio, Nvme }

/// <summary>An NVMe workload: O_DIRECT I/Os of <see cref="IoBytes"/> at a queue depth, per CPU.</summary>
public sealed record NvmeWorkload
{
    public ulong IoBytes { get; init; } = 4096;
    public int QueueDepth { get; init; } = 32;
    public int Ios { get; init; } = 10_000;
    public bool Sgl { get; init; }

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
    public const int UnlimitedBatch = int.MaxValue;
    public bool Prefault { get; init; } = true;
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

    /// <summary>The cost model (defaults with their sources; a cost-model file overrides them).</summary>
    public ModelCosts Costs { get; init; } = ModelCosts.Default;

    /// <summary>The device's max segment size (an RDMA NIC sets 2 GiB).</summary>
    public ulong DeviceMaxSegment { get; init; } = 2UL << 30;
}

/// <summary>Every cost the scenarios use: GUP's, the DMA path's, and cache-line transfers.</summary>
public sealed record ModelCosts(GupCosts Gup, DmaCosts Dma, long CacheLineSameSocketNs = 50, long CacheLineCrossSocketNs = 150)
{
    public static readonly ModelCosts Default = new(GupCosts.Default, DmaCosts.Default);
}

namespace Phyr.Domain.Machines;

/// <summary>Which IOMMU a machine has (its page-size bitmap and invalidation queue differ).</summary>
public enum IommuKind { IntelVtd, AmdV1, ArmSmmuV3 }

/// <summary>
/// A machine the model runs on: its shape and the hardware facts every cost is made of, each with its source in
/// <see cref="MachineProfiles"/> and docs/machines.md. Latencies are in ns; none of them is fitted to a kernel
/// measurement (what is fitted is the kernel's code, <see cref="Costs.KernelCode"/>, from the calibration set).
/// </summary>
public sealed record MachineProfile
{
    public required string Name { get; init; }
    public required string Description { get; init; }

    /// <summary>Where each value comes from (a sentence per parameter group).</summary>
    public required string Sources { get; init; }

    public int Sockets { get; init; } = 1;
    public int CoresPerSocket { get; init; } = 1;
    public int ThreadsPerCore { get; init; } = 1;

    /// <summary>Core clock while the kernel path runs, GHz: the kernel's instruction work (cycles) is divided by it.</summary>
    public double Ghz { get; init; } = 1;

    /// <summary>Load-to-use latency of an L1D hit (a page-table entry of a level just walked, a line this CPU just wrote).</summary>
    public double L1Ns { get; init; } = 1;

    /// <summary>Load-to-use latency of an L2 hit (a struct page touched a few hundred pages ago).</summary>
    public double L2Ns { get; init; } = 1;

    /// <summary>Idle load latency from local DRAM: a line nobody has in cache, at an address no prefetcher predicted.</summary>
    public double DramNs { get; init; } = 1;

    /// <summary>Last-level cache of one socket, bytes: a region whose struct pages (64 B a page) and PTEs fit in it stays there between passes.</summary>
    public ulong LlcBytes { get; init; } = 32UL << 20;

    /// <summary>Load-to-use latency of an LLC hit.</summary>
    public double LlcNs { get; init; } = 20;

    /// <summary>One 64-byte line of a sequential stream from the LLC.</summary>
    public double LlcStreamLineNs { get; init; } = 1.25;

    /// <summary>One 64-byte line of a sequential stream one core reads (64 B / single-core read bandwidth): the next struct page of a contiguous run.</summary>
    public double StreamLineNs { get; init; } = 1;

    /// <summary>
    /// One 64-byte line of clear_page (rep stosb, 4 KiB at a time) on memory not in cache: 64 B over one core's measured
    /// clear bandwidth where there is a measurement, else each store miss taking a line fill buffer for a DRAM round trip,
    /// a line every DRAM latency / the buffers.
    /// </summary>
    public double ClearLineNs { get; init; } = 9;

    /// <summary>A locked read-modify-write (lock xadd / cmpxchg) on a line in this CPU's L1: the store buffer drains, later loads wait.</summary>
    public double AtomicNs { get; init; } = 1;

    /// <summary>A modified line moving to the other hardware thread of the same core.</summary>
    public double SmtTransferNs { get; init; } = 1;

    /// <summary>A modified line moving between cores of one socket (cache-to-cache intervention).</summary>
    public double SocketTransferNs { get; init; } = 2;

    /// <summary>A modified line moving to a core of another socket.</summary>
    public double CrossSocketTransferNs { get; init; } = 2;

    public IommuKind Iommu { get; init; } = IommuKind.IntelVtd;

    /// <summary>
    /// One IOTLB invalidation through the IOMMU's queue, submit to completion (qi_submit_sync: the invalidation descriptor,
    /// the wait descriptor, the poll of its status): what a strict unmap and a flush queue's flush wait for.
    /// </summary>
    public double IotlbInvalidationNs { get; init; } = 1;

    public int CpusPerSocket => CoresPerSocket * ThreadsPerCore;
    public int Cpus => Sockets * CpusPerSocket;

    /// <summary>What is wrong with the values, by machine-file key (none for a usable profile).</summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (Sockets is < 1 or > 64) yield return ("sockets", $"{Sockets} is not between 1 and 64");
        if (CoresPerSocket is < 1 or > 4096) yield return ("cores-per-socket", $"{CoresPerSocket} is not between 1 and 4096");
        if (ThreadsPerCore is < 1 or > 8) yield return ("threads-per-core", $"{ThreadsPerCore} is not between 1 and 8");
        foreach (var (key, v) in new[]
                 {
                     ("ghz", Ghz), ("l1-ns", L1Ns), ("l2-ns", L2Ns), ("llc-ns", LlcNs), ("llc-stream-line-ns", LlcStreamLineNs), ("dram-ns", DramNs), ("stream-line-ns", StreamLineNs), ("clear-line-ns", ClearLineNs), ("atomic-ns", AtomicNs),
                     ("smt-transfer-ns", SmtTransferNs), ("socket-transfer-ns", SocketTransferNs), ("cross-socket-transfer-ns", CrossSocketTransferNs),
                     ("iotlb-invalidation-ns", IotlbInvalidationNs),
                 })
            if (!(v > 0 && v < 1e6)) yield return (key, $"{v} is not a positive number below 1000000");
        // The engine's lookahead is half a same-socket transfer and must be at least 1 ns.
        if (SocketTransferNs < 2) yield return ("socket-transfer-ns", $"{SocketTransferNs} is below 2 (the link latency is half of it)");
        if (CrossSocketTransferNs < SocketTransferNs) yield return ("cross-socket-transfer-ns", $"{CrossSocketTransferNs} is below socket-transfer-ns ({SocketTransferNs})");
        if (L2Ns < L1Ns) yield return ("l2-ns", $"{L2Ns} is below l1-ns ({L1Ns})");
        if (LlcNs < L2Ns) yield return ("llc-ns", $"{LlcNs} is below l2-ns ({L2Ns})");
        if (DramNs < LlcNs) yield return ("dram-ns", $"{DramNs} is below llc-ns ({LlcNs})");
        if (LlcBytes < 1UL << 20 || LlcBytes > 1UL << 40) yield return ("llc-bytes", $"{LlcBytes} is not between 1M and 1T");
    }
}

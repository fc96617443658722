namespace Phyr.Domain.Machines;

/// <summary>
/// The shipped machine profiles (docs/machines.md has them as a table with their sources). A scenario names one with
/// <c>machine = NAME</c>, gup-test with <c>--machine NAME</c>; a machine file (<see cref="MachineProfileFile"/>) starts
/// from one and changes what it names. The default is <see cref="X86Server"/>: the measurements whose machine is not
/// stated come from x86 servers of the last few years.
/// </summary>
public static class MachineProfiles
{
    private const string LatencySources =
        "L1/L2 load-to-use and line fill buffers: 7-cpu.com (Intel cores of the generation); a same-socket modified-line " +
        "transfer: Intel MLC L2-to-L2 HITM intervention as reported by J. McCalpin (Intel forum, 'Core-to-Core Communication " +
        "Latency in Skylake/Kaby Lake': 40.3-42.3 ns on a Xeon E5-2660 v4) and chipsandcheese.com 'Core to Core Latency Data on " +
        "Large Systems' (2023) for other parts; a locked RMW on an L1 line ~17-20 cycles, later memory uops waiting for it " +
        "(LLVM commit b1bdd97a2671 \"[X86][Btver2] Fix latency and throughput of CMPXCHG instructions\": ~17 cycles, \"prevents other memory uOPs to start executing\"); a streamed line (from DRAM or the LLC): its latency over " +
        "the 16 lines the L2 streamer keeps in flight (Little's law, as in McCalpin's answer to Stack Overflow 39260020) where no one-core rate measured on the part is named; a cleared line: DRAM latency " +
        "over the 10 line fill buffers (7-cpu: Broadwell and Skylake have 10; Golden Cove 16) a store miss holds";

    /// <summary>
    /// An IOTLB invalidation's latency: the one measured figure with a mean found, the dmar_perf_latency example of
    /// Documentation/ABI/testing/debugfs-intel-iommu (Kabylake: 18 IOTLB invalidations between 1 and 10 us, average 2 us);
    /// none was found for the other parts, so every profile takes it.
    /// </summary>
    private const double InvalidationNs = 2000;

    private const string InvalidationSource =
        "; an IOTLB invalidation 2 us: the dmar_perf_latency example in Documentation/ABI/testing/debugfs-intel-iommu (Kabylake, " +
        "18 invalidations in 1-10 us, average 2 us), the only measured mean found, taken for every profile";

    /// <summary>The 40-CPU host of kernel commit 292648ac5cf1: two Xeon E5-2630 v4 (Broadwell-EP, 10 cores, 2 threads each, 2.2 GHz).</summary>
    public static readonly MachineProfile XeonE5_2630v4 = new()
    {
        Name = "xeon-e5-2630v4",
        Description = "2 x Intel Xeon E5-2630 v4 (Broadwell-EP), 10 cores x 2 threads per socket, 2.2 GHz: the 40-CPU host of kernel commit 292648ac5cf1",
        Sources = LatencySources + "; shape, clock and LLC: Intel ARK (E5-2630 v4: 10 cores, 20 threads, 2.20 GHz base, 25 MB cache); LLC ~50 cycles (7-cpu Broadwell); DRAM ~88 ns idle (Intel MLC on Xeon E5 v4); a streamed line 64 B at the 7.98 GB/s one core of this part reads from memory (likwid-bench load, 375 MB: RRZE-HPC/kerncraft, examples/machine-files/BroadwellEP_E5-2630v4.yml)" + InvalidationSource,
        Sockets = 2, CoresPerSocket = 10, ThreadsPerCore = 2, Ghz = 2.2,
        L1Ns = 4 / 2.2, L2Ns = 12 / 2.2, LlcNs = 50 / 2.2, LlcStreamLineNs = 50 / 2.2 / 16, LlcBytes = 25UL << 20, DramNs = 88, StreamLineNs = 64 / 7.98, ClearLineNs = 88 / 10.0, AtomicNs = 18 / 2.2,
        SmtTransferNs = 10, SocketTransferNs = 42, CrossSocketTransferNs = 115, Iommu = IommuKind.IntelVtd, IotlbInvalidationNs = InvalidationNs,
    };

    /// <summary>
    /// A two-socket x86 server of the Skylake-SP .. Ice Lake-SP generations (28 cores x 2 threads per socket, 2.5 GHz): the
    /// machine of measurements that do not state theirs.
    /// </summary>
    public static readonly MachineProfile X86Server = new()
    {
        Name = "x86-server",
        Description = "2 sockets x 28 cores x 2 threads, 2.5 GHz, Intel Xeon Scalable (Skylake-SP .. Ice Lake-SP) class: the default, " +
                      "for measurements whose machine is not stated",
        Sources = LatencySources + "; mesh parts: LLC ~60 cycles, 38.5 MB (Xeon Platinum 8180 class), same-socket transfers ~50 ns and cross-socket ~130 ns in the chipsandcheese data, DRAM ~90 ns idle" + InvalidationSource,
        Sockets = 2, CoresPerSocket = 28, ThreadsPerCore = 2, Ghz = 2.5,
        L1Ns = 5 / 2.5, L2Ns = 14 / 2.5, LlcNs = 60 / 2.5, LlcStreamLineNs = 60 / 2.5 / 16, LlcBytes = 38UL << 20, DramNs = 90, StreamLineNs = 90 / 16.0, ClearLineNs = 90 / 10.0, AtomicNs = 19 / 2.5,
        SmtTransferNs = 10, SocketTransferNs = 50, CrossSocketTransferNs = 130, Iommu = IommuKind.IntelVtd, IotlbInvalidationNs = InvalidationNs,
    };

    /// <summary>The machine of the iommupt series' micro-benchmark: an Intel Core i7-12700 (Alder Lake; Golden Cove P-cores at up to 4.8 GHz).</summary>
    public static readonly MachineProfile CoreI7_12700 = new()
    {
        Name = "core-i7-12700",
        Description = "Intel Core i7-12700 (Alder Lake), one socket, 8 P-cores x 2 threads at up to 4.8 GHz (the 4 E-cores left out): " +
                      "the machine of the iommupt series' map/unmap micro-benchmark",
        Sources = "Intel ARK (i7-12700: 8 P + 4 E cores, 20 threads, P-core max turbo 4.80 GHz, 25 MB cache); Golden Cove L1D 5 cycles, " +
                  "L2 15 cycles, L3 ~65 cycles (chipsandcheese.com, 'Popping the Hood on Golden Cove', 2021); core-to-core ~35 ns and SMT " +
                  "siblings 4.3 ns, with a faster LOCK cycle than Willow Cove (AnandTech's i9-12900K review, 2021); DRAM ~90 ns (DDR4/DDR5 " +
                  "client, same review); a locked RMW ~20 cycles; a streamed line DRAM latency / 16 (Little's law)" + InvalidationSource,
        Sockets = 1, CoresPerSocket = 8, ThreadsPerCore = 2, Ghz = 4.8,
        L1Ns = 5 / 4.8, L2Ns = 15 / 4.8, LlcNs = 65 / 4.8, LlcStreamLineNs = 65 / 4.8 / 16, LlcBytes = 25UL << 20, DramNs = 90, StreamLineNs = 90 / 16.0, ClearLineNs = 90 / 16.0, AtomicNs = 20 / 4.8,
        SmtTransferNs = 4.3, SocketTransferNs = 35, CrossSocketTransferNs = 35, Iommu = IommuKind.IntelVtd, IotlbInvalidationNs = InvalidationNs,
    };

    /// <summary>
    /// The Intel host of Daniel Jordan's multithreaded VFIO pinning RFC (Jan 2022): two Xeon Platinum 8167M (Skylake-SP, an
    /// OEM part), 26 cores x 2 threads per socket, 2.0 GHz as stated (turbo enabled there; the model runs at the stated clock,
    /// as every profile does).
    /// </summary>
    public static readonly MachineProfile XeonPlatinum8167M = new()
    {
        Name = "xeon-platinum-8167m",
        Description = "2 x Intel Xeon Platinum 8167M (Skylake-SP), 26 cores x 2 threads per socket, 2.0 GHz: the Intel host of " +
                      "Daniel Jordan's multithreaded VFIO pinning RFC (2022)",
        Sources = LatencySources + "; shape and clock: the RFC's hardware info ('2 nodes * 26 cores * 2 threads = 104 CPUs, 2.00GHz'); " +
                  "L1 4 cycles, L2 14 cycles (the low end of 14-22 measured), L3 25-27 ns at 16-32 MB, DRAM 89-91 ns at 384-512 MB: " +
                  "AnandTech's LMBench runs on Skylake-SP ('Intel Skylake EP vs AMD EPYC 7000', 2017, 'Memory Subsystem: Latency'); " +
                  "L3 1.375 MB a core (AnandTech's Skylake-X review), 35.75 MB for 26 cores; a streamed line 64 B at ~12 GB/s, one thread's STREAM on Skylake-SP in the same AnandTech review (kerncraft's likwid-bench load on two other Skylake-SP parts: 10.9 and 14.3 GB/s); transfers as x86-server (no case on this machine moves lines between CPUs)" + InvalidationSource,
        Sockets = 2, CoresPerSocket = 26, ThreadsPerCore = 2, Ghz = 2.0,
        L1Ns = 4 / 2.0, L2Ns = 14 / 2.0, LlcNs = 26, LlcStreamLineNs = 26 / 16.0, LlcBytes = 35UL << 20 | 768UL << 10, DramNs = 90, StreamLineNs = 64 / 12.0, ClearLineNs = 90 / 10.0, AtomicNs = 19 / 2.0,
        SmtTransferNs = 10, SocketTransferNs = 50, CrossSocketTransferNs = 130, Iommu = IommuKind.IntelVtd, IotlbInvalidationNs = InvalidationNs,
    };

    /// <summary>
    /// The AMD host of the same RFC: two EPYC 7J13 (Milan, Zen 3; an OEM part), 64 cores x 2 threads per socket, 2.5 GHz as
    /// stated; AMD-Vi, whose v1 page table kernels before 6.19 drive with the old io-pgtable code.
    /// </summary>
    public static readonly MachineProfile Epyc7J13 = new()
    {
        Name = "epyc-7j13",
        Description = "2 x AMD EPYC 7J13 (Milan, Zen 3), 64 cores x 2 threads per socket, 2.5 GHz, AMD-Vi: the AMD host of " +
                      "Daniel Jordan's multithreaded VFIO pinning RFC (2022)",
        Sources = "shape and clock: the RFC's hardware info ('2 nodes * 64 cores * 2 threads = 256 CPUs, 2.50GHz'); L1 4 and L2 13 cycles, " +
                  "L3 ~34 cycles and DRAM ~122 ns (NPS1) measured on Rome (AnandTech, 'AMD Rome Second Generation EPYC Review', 2019, " +
                  "'Memory Subsystem: Latency'), Zen 3 keeping Zen 2's L1 and L2 and its unified 32 MB L3 adding 7 to 8 cycles " +
                  "(chipsandcheese.com, 'Deep Diving Zen 3 V-Cache', 2022) and each core able to use the full 32 MB (AnandTech's Milan " +
                  "review); a cleared line 64 B at the 13.7 GB/s one Milan core clears memory 4 KiB at a time (kernel commit cb431accb36e, 'x86/clear_page: Introduce clear_pages()', Ankur Arora: 13.7 GB/s at 4 KiB chunks, 15.1 at 2 MiB, 38.1 at 1 GiB; the SKU not stated); a locked " +
                  "RMW 19 cycles and the line transfers as x86-server's (not found for Zen 3; no case on this machine moves lines " +
                  "between CPUs); a streamed line 64 B at the 21.77 GB/s one Zen 2 core of an EPYC 7452 reads from memory (likwid-bench load, 240 MB, " +
                  "NPS4: RRZE-HPC/kerncraft, examples/machine-files/Zen2_EPYC-7452.yml) — Milan's own not found; it keeps Rome's I/O die " +
                  "and memory controllers" + InvalidationSource,
        Sockets = 2, CoresPerSocket = 64, ThreadsPerCore = 2, Ghz = 2.5,
        L1Ns = 4 / 2.5, L2Ns = 13 / 2.5, LlcNs = 41.5 / 2.5, LlcStreamLineNs = 41.5 / 2.5 / 16, LlcBytes = 32UL << 20, DramNs = 122, StreamLineNs = 64 / 21.77, ClearLineNs = 64 / 13.7, AtomicNs = 19 / 2.5,
        SmtTransferNs = 10, SocketTransferNs = 50, CrossSocketTransferNs = 130, Iommu = IommuKind.AmdV1, IotlbInvalidationNs = InvalidationNs,
    };

    public static MachineProfile Default => X86Server;

    public static IReadOnlyList<MachineProfile> All { get; } = [X86Server, XeonE5_2630v4, CoreI7_12700, XeonPlatinum8167M, Epyc7J13];

    public static MachineProfile? Find(string name) => All.FirstOrDefault(m => m.Name == name);
}

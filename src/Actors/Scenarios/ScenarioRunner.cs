using Stopwatch = System.Diagnostics.Stopwatch;
using Akka.Actor;
using Phyr.Actors.Engine;
using Phyr.Actors.Kernel;
using Phyr.Actors.Resources;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Scenarios;

/// <summary>
/// Builds the simulated machine of a <see cref="Scenario"/> — one process, a walker per CPU each with its
/// own 1 GiB-aligned region (its own VMA and page tables), a lock component per PTE table and per PMD
/// table (or the mm's page_table_lock), mmap_lock, per-VMA locks, the mm's flag line — runs it, and
/// reads the metrics off the components in id order.
/// </summary>
public static class ScenarioRunner
{
    private const ulong RegionsBase = 1UL << 40;
    private const ulong DeviceBarPfn = 1UL << 36; // a P2P BAR at 256 TiB physical

    public static async Task<ScenarioResult> RunAsync(Scenario s, ulong seed, ActorSystem system, string? dispatcher, int parallelism,
        CancellationToken cancel = default)
    {
        var costs = new CostModel
        {
            CpusPerSocket = s.CpusPerSocket, CacheLineSameSocketNs = s.Costs.CacheLineSameSocketNs,
            CacheLineCrossSocketNs = s.Costs.CacheLineCrossSocketNs,
        };
        costs.Validate();
        var sim = new Simulation(new SimulationOptions { Seed = seed, Partitions = parallelism, Lookahead = costs.LinkLatencyNs });
        var machine = Build(s, seed, sim, costs);
        var sw = Stopwatch.StartNew();
        var result = await sim.RunAsync(system, dispatcher, cancel).ConfigureAwait(false);
        return Collect(s, seed, machine, result, new HostFigures(sw.Elapsed.TotalSeconds, parallelism, result.Execution.Partitions,
            result.Execution.Rounds, result.Events));
    }

    private sealed record Machine(Kernel.Process Process, IReadOnlyList<PageTableWalker> Walkers, IReadOnlyList<Spinlock> PteLocks,
        IReadOnlyList<Spinlock> HugeLocks, RwSem MmapLock, IReadOnlyList<RwSem> VmaLocks, SharedCacheLine? MmFlags,
        IommuDomain? Iommu, RdmaNic? Nic, IReadOnlyList<NvmeSubmitter> Submitters, NvmeController? Nvme);

    /// <summary>Each CPU's region: its own 1 GiB-aligned range, or with a shared region the same one for all.</summary>
    private static ulong RegionStart(Scenario s, int cpu) =>
        s.SharedRegion ? RegionsBase : RegionsBase + (ulong)cpu * ((s.RegionBytes + (1UL << 30) - 1) & ~((1UL << 30) - 1));

    private static int Regions(Scenario s) => s.SharedRegion ? 1 : s.Cpus;

    private static Machine Build(Scenario s, ulong seed, Simulation sim, CostModel costs)
    {
        var mm = new AddressSpace(Frames(s, seed));
        for (var cpu = 0; cpu < Regions(s); cpu++)
            mm.Map(RegionStart(s, cpu), s.RegionBytes, s.Backing, DeviceBarPfn + (ulong)cpu * (s.RegionBytes >> Page.Shift));
        if (s.Prefault && s.Backing != Backing.DeviceMemory)
            for (var cpu = 0; cpu < Regions(s); cpu++)
                for (ulong off = 0; off < s.RegionBytes; off += s.Backing.FolioBytes())
                    mm.Fault(RegionStart(s, cpu) + off);

        var process = sim.Add(new Process("mm", mm));
        var mmap = sim.Add(new RwSem("mmap_lock", costs));
        var mmFlags = s.HasPinnedWrite ? sim.Add(new SharedCacheLine("mm.flags", costs)) : null;
        var vmaLocks = mm.Vmas.Select(v => sim.Add(new RwSem($"vma{v.Id}.lock", costs))).ToList();
        var pageTableLock = s.SplitPmdLocks ? null : sim.Add(new Spinlock("mm.page_table_lock", costs));

        // Page-table locks: with a shared region, a lock component per PTE table (2 MiB) and per PMD table
        // (1 GiB), in address order; with private regions each CPU owns its tables' locks (no component).
        var pte = new Dictionary<ulong, Spinlock>();
        var huge = new Dictionary<ulong, Spinlock>();
        var pteScale = s.Backing.MapLevel() == 0;
        for (var cpu = 0; s.SharedRegion && cpu < Regions(s); cpu++)
        {
            var start = RegionStart(s, cpu);
            for (var va = start; va < start + s.RegionBytes; va += 1UL << AddressSpace.PmdShift)
            {
                if (pteScale) pte[va >> AddressSpace.PmdShift] = sim.Add(new Spinlock($"ptl.{va >> AddressSpace.PmdShift:x}", costs));
                else if (s.SplitPmdLocks && !huge.ContainsKey(va >> AddressSpace.PudShift))
                    huge[va >> AddressSpace.PudShift] = sim.Add(new Spinlock($"pmd_lock.{va >> AddressSpace.PudShift:x}", costs));
            }
        }

        var directory = new PageTableWalker.LockDirectory(
            MmapLock: mmap.Id,
            VmaLock: id => vmaLocks[(int)id].Id,
            PteLock: key => s.SharedRegion ? pte[key].Id : -1,
            HugeLock: key => pageTableLock?.Id ?? (s.SharedRegion ? huge[key >> (AddressSpace.PudShift - AddressSpace.PmdShift)].Id : -1),
            MmFlagsLine: mmFlags?.Id ?? -1,
            ColdLockNs: costs.CacheLineSameSocketNs);
        if (s.Device == DeviceKind.Nvme) return BuildNvme(s, sim, costs, process, directory, mmap, vmaLocks, pte, huge, pageTableLock, mmFlags);

        IommuDomain? iommu = null;
        RdmaNic? nic = null;
        Func<int, PageTableWalker.DmaPlan?> plan = _ => null;
        if (s.Dma is not null || s.Device == DeviceKind.Vfio)
        {
            var device = new DeviceLimits { MaxSegmentSize = s.DeviceMaxSegment };
            iommu = sim.Add(new IommuDomain("iommu-domain", new DmaDomain(s.IommuMode), s.Costs.Dma, device, process.Id));
            if (s.Device == DeviceKind.Vfio)
                // Each thread's region is guest memory at its own guest-physical range (0, then the next aligned GiB, ...).
                plan = cpu => new PageTableWalker.DmaPlan(DmaStrategy.Legacy, iommu.Id, -1, s.DeviceMaxSegment, s.Costs.Dma,
                    VfioGuestBase: RegionStart(s, cpu) - RegionsBase);
            else
            {
                nic = sim.Add(new RdmaNic("rdma-nic", s.Costs.Dma, iommu.Id));
                var shared = new PageTableWalker.DmaPlan(s.Dma!.Value, iommu.Id, nic.Id, s.DeviceMaxSegment, s.Costs.Dma);
                plan = _ => shared;
            }
        }
        var walkers = Enumerable.Range(0, s.Cpus).Select(cpu => sim.Add(new PageTableWalker($"cpu{cpu}", cpu, process.Id, directory,
            RegionStart(s, cpu), RegionStart(s, cpu) + s.RegionBytes, s.Call, s.Batch, s.Gup, s.Costs.Gup, plan(cpu)))).ToList();
        foreach (var w in walkers) sim.Inject(w, PageTableWalker.Start.Instance);

        var hugeLocks = pageTableLock is null ? huge.Values.ToList() : [pageTableLock];
        return new Machine(process, walkers, pte.Values.ToList(), hugeLocks, mmap, vmaLocks, mmFlags, iommu, nic, [], null);
    }

    /// <summary>NVMe: one submitter per CPU doing O_DIRECT I/O to one controller through the IOMMU domain.</summary>
    private static Machine BuildNvme(Scenario s, Simulation sim, CostModel costs, Kernel.Process process, PageTableWalker.LockDirectory directory,
        RwSem mmap, List<RwSem> vmaLocks, Dictionary<ulong, Spinlock> pte, Dictionary<ulong, Spinlock> huge, Spinlock? pageTableLock,
        SharedCacheLine? mmFlags)
    {
        var device = new DeviceLimits { MaxSegmentSize = s.DeviceMaxSegment };
        var iommu = sim.Add(new IommuDomain("iommu-domain", new DmaDomain(s.IommuMode), s.Costs.Dma, device, process.Id));
        var nvme = sim.Add(new NvmeController("nvme0", s.Nvme.LatencyNs, s.Nvme.BytesPerSecond / 1e9, iommu.Id));
        var plan = new NvmeSubmitter.Plan(process.Id, iommu.Id, nvme.Id, s.Dma!.Value, s.Nvme.Sgl, s.Call, s.Gup, s.Costs.Gup, s.Costs.Dma);
        var submitters = Enumerable.Range(0, s.Cpus).Select(cpu => sim.Add(new NvmeSubmitter($"cpu{cpu}", cpu, RegionStart(s, cpu),
            s.Nvme.IoBytes, s.Nvme.QueueDepth, s.Nvme.Ios, plan))).ToList();
        foreach (var x in submitters) sim.Inject(x, NvmeSubmitter.Start.Instance);
        var hugeLocks = pageTableLock is null ? huge.Values.ToList() : [pageTableLock];
        return new Machine(process, [], pte.Values.ToList(), hugeLocks, mmap, vmaLocks, mmFlags, iommu, null, submitters, nvme);
    }

    /// <summary>The frames faults get: from the pfn file, or the fragmentation model in the backing's frame size.</summary>
    private static FrameSource Frames(Scenario s, ulong seed)
    {
        var size = s.Backing switch
        {
            Backing.Thp or Backing.Hugetlb2M => FrameSize.Pmd,
            Backing.Hugetlb1G => FrameSize.Pud,
            _ => FrameSize.Base,
        };
        if (s.PfnFile is { } file)
        {
            if (size != FrameSize.Base) throw new ArgumentException("layout.pfns gives 4 KiB frames: use it with backing = anon-4k");
            return new FrameSource().With(size, PhysLayout.ToRuns(PfnFile.Read(file)));
        }
        var frames = (ulong)s.Cpus * (s.RegionBytes >> size.Shift);
        return new FrameSource().With(size, new FragmentationModel(s.Fragmentation, seed).Generate(frames));
    }

    private static ScenarioResult Collect(Scenario s, ulong seed, Machine m, SimulationResult r, HostFigures host)
    {
        var w = m.Walkers;
        var n = m.Submitters;
        var totals = w.Select(x => x.Totals).Concat(n.Select(x => x.Totals)).ToList();
        double Sum(Func<GupTotals, long> f) => totals.Sum(f);
        var ptl = m.PteLocks.Select(l => l.Metrics).Concat(w.Select(x => x.PrivatePteLocks)).ToList();
        var hugeLocks = m.HugeLocks.Select(l => l.Metrics).Concat(w.Select(x => x.PrivateHugeLocks)).ToList();
        var ptlWait = Merge(ptl.Select(l => l.Wait));
        var hugeWait = Merge(hugeLocks.Select(l => l.Wait));
        var simTime = w.Select(x => x.FinishedAt).Concat(n.Select(x => x.FinishedAt)).DefaultIfEmpty(0).Max();
        var pages = Sum(t => t.PagesPinned);
        var errors = w.Where(x => x.Error is not null).Select(x => x.Error!).ToList();
        // Invariants: every walker finished and unpinned what it pinned; no pin count went negative; no pin is left.
        var mm = m.Process.Mm;
        var violations = w.Count(x => x.Error is null && (x.PagesUnpinned != x.Totals.PagesPinned || x.FinishedAt < 0))
                         + n.Count(x => x.PagesUnpinned != x.PagesPinned || x.FinishedAt < 0)
                         + mm.PinViolations + mm.PinnedFolios
                         + (m.Iommu?.DmaFaults ?? 0) + (m.Iommu?.DmaStaleAccesses ?? 0) + m.Process.UnpinnedAccesses;
        var ioLatency = Merge(n.Select(x => x.Latency));

        List<(string, double)> metrics =
        [
            ("sim_time_ns", simTime),
            ("pages_pinned", pages),
            ("pin_ns_per_page", pages == 0 || w.Count == 0 ? 0 : Math.Round((double)w.Sum(x => x.FinishedAt - x.StartedAt) / pages, 3)),
            ("gup_calls", w.Sum(x => x.Calls) + n.Sum(x => x.Completed)),
            ("pagetable_walks", Sum(t => t.Walks)),
            ("fast_path_pages", Sum(t => t.FastPathPages)),
            ("locked_path_pages", Sum(t => t.LockedPathPages)),
            ("faults", Sum(t => t.Faults)),
            ("pin_atomics", Sum(t => t.PinAtomics)),
            ("ptl_acquisitions", ptl.Sum(l => l.Acquisitions)),
            ("ptl_contended", ptl.Sum(l => l.Contended)),
            ("ptl_wait_ns_p99", ptlWait.Percentile(99)),
            ("ptl_wait_ns_max", ptlWait.Max),
            ("huge_lock_acquisitions", hugeLocks.Sum(l => l.Acquisitions)),
            ("huge_lock_wait_ns_p99", hugeWait.Percentile(99)),
            ("mmap_lock_acquisitions", m.MmapLock.Metrics.Acquisitions),
            ("mmap_lock_wait_ns_p99", m.MmapLock.Metrics.Wait.Percentile(99)),
            ("vma_lock_acquisitions", m.VmaLocks.Sum(l => l.Metrics.Acquisitions)),
            ("cacheline_transfers", (m.MmFlags?.Transfers ?? 0) + m.MmapLock.LineTransfers + m.VmaLocks.Sum(l => l.LineTransfers)),
            ("descriptor_bytes_peak", w.Sum(x => x.DescriptorBytesPeak)),
            ("output_entries", Sum(t => t.Entries)),
            ("iova_allocs", m.Iommu?.IovaAllocs ?? 0),
            ("iova_rcache_hits", m.Iommu?.IovaCacheHits ?? 0),
            ("iova_tree_wait_ns_p99", m.Iommu?.TreeLockWait.Percentile(99) ?? 0),
            ("iommu_map_calls", m.Iommu?.MapCalls ?? 0),
            ("iommu_ptes_written", m.Iommu?.PtesWritten ?? 0),
            ("iotlb_invalidations", m.Iommu?.Domain.IotlbInvalidations ?? 0),
            ("iotlb_wait_ns_p99", m.Iommu?.InvalidationWait.Percentile(99) ?? 0),
            ("stale_window_ns_max", m.Iommu?.Domain.StaleWindow.Max ?? 0),
            ("dma_segments", w.Sum(x => x.Mapping?.DeviceSegments.Count ?? 0) + n.Sum(x => x.DmaSegments)),
            ("device_entries", w.Sum(x => x.DeviceEntries) + n.Sum(x => x.DescriptorEntries)),
            ("ios", n.Sum(x => x.Completed)),
            ("iops", simTime == 0 || n.Count == 0 ? 0 : Math.Round(n.Sum(x => x.Completed) * 1e9 / simTime, 1)),
            ("io_latency_ns_p50", ioLatency.Percentile(50)),
            ("io_latency_ns_p99", ioLatency.Percentile(99)),
            ("nvme_list_bytes_peak", n.Sum(x => x.ListBytesPeak)),
            ("dma_accesses", m.Iommu?.DmaAccesses ?? 0),
            ("dma_faults", m.Iommu?.DmaFaults ?? 0),
            ("dma_stale_accesses", m.Iommu?.DmaStaleAccesses ?? 0),
            ("dma_unpinned_accesses", m.Process.UnpinnedAccesses),
            ("time_walk_ns", w.Sum(x => x.WalkNs) + n.Sum(x => x.WalkNs)),
            ("time_lock_wait_ns", w.Sum(x => x.LockWaitNs)),
            ("time_atomics_ns", w.Sum(x => x.AtomicsNs) + n.Sum(x => x.AtomicsNs)),
            ("time_iova_ns", m.Iommu?.IovaNs ?? 0),
            ("time_io_pagetable_ns", m.Iommu?.IoPageTableNs ?? 0),
            ("time_iotlb_ns", m.Iommu?.IotlbNs ?? 0),
            ("events", r.Events),
            ("invariant_violations", violations),
        ];
        if (s.DescribeLayout)
        {
            // What each format needs to describe CPU 0's region as the run left it (the device's max segment applies).
            var ranges = mm.PhysicalRanges(RegionStart(s, 0), RegionStart(s, 0) + s.RegionBytes);
            var options = new DescriptorOptions(s.DeviceMaxSegment);
            metrics.Add(("layout_ranges", ranges.Count));
            metrics.AddRange(DescriptorFormat.All.Select(f => ($"format_bytes_{f.Name.Replace('-', '_')}", (double)f.Build(ranges, options).Bytes)));
        }
        var threads = w.Select(x => new ThreadTimes(x.StartedAt, x.PinnedAt, x.FinishedAt)).ToList();
        return new ScenarioResult(s.Name, seed, metrics, errors, r.Digest, host, threads);
    }

    private static LatencyHistogram Merge(IEnumerable<LatencyHistogram> hs)
    {
        var all = new LatencyHistogram();
        foreach (var h in hs) all.Add(h);
        return all;
    }
}

using Phyr.Actors.Engine;
using Phyr.Actors.Kernel;
using Phyr.Actors.Resources;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Config;
using Phyr.Domain.Costs;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Machines;

/// <summary>
/// The simulated machine of a scenario, built for one run. Its own parts are what every device shares: one process
/// (its mm — a VMA per CPU's region, 1 GiB-aligned, or one shared region — faulted in from the frame source) and the
/// locks GUP calls take: mmap_lock, the VMAs' locks, the mm's flag line, a lock component per shared PTE table and
/// PMD table or the mm's page_table_lock (<see cref="LockDirectory"/>). The scenario's device kind adds the rest
/// (<see cref="IRig"/>: the IOMMU domain, the device, a driver thread per CPU). After the run <see cref="Read"/> takes
/// the metrics off every part, in the catalogue's order.
/// </summary>
public sealed class Machine
{
    private const ulong RegionsBase = 1UL << 40;
    private const ulong DeviceBarPfn = 1UL << 36; // a P2P BAR at 256 TiB physical

    private Machine(Scenario scenario, Simulation sim, IRig rig)
    {
        Scenario = scenario;
        Sim = sim;
        Rig = rig;
        Costs = scenario.Costs;
        Net = Costs.Interconnect(scenario.CpusPerSocket);
    }

    public Scenario Scenario { get; }

    /// <summary>The scenario's cost model, derived once for the machine (the scenario derives it on each read).</summary>
    public CostModel Costs { get; }
    public Simulation Sim { get; }
    public IRig Rig { get; }
    public Interconnect Net { get; }
    public Kernel.Process Process { get; private set; } = null!;
    public RwSem MmapLock { get; private set; } = null!;
    public SharedCacheLine? MmFlags { get; private set; }
    public IReadOnlyList<RwSem> VmaLocks { get; private set; } = [];
    public IReadOnlyList<Spinlock> PteLocks { get; private set; } = [];

    /// <summary>The huge entries' locks: split PMD locks of shared tables, or the mm's page_table_lock.</summary>
    public IReadOnlyList<Spinlock> HugeLocks { get; private set; } = [];
    public LockDirectory Locks { get; private set; } = null!;

    /// <summary>Builds the machine of <paramref name="scenario"/> into <paramref name="sim"/>: its own parts, then the rig's.</summary>
    public static Machine Build(Scenario scenario, ulong seed, Simulation sim, IRig? rig = null)
    {
        if (scenario.Problems().FirstOrDefault() is ({ } key, { } problem)) throw new ArgumentException($"{key}: {problem}");
        var machine = new Machine(scenario, sim, rig ?? Rigs.For(scenario));
        machine.BuildMm(seed);
        machine.Rig.Build(machine);
        return machine;
    }

    /// <summary>Each CPU's region: its own 1 GiB-aligned range, or with a shared region the same one for all.</summary>
    public ulong RegionStart(int cpu) =>
        Scenario.SharedRegion ? RegionsBase : RegionsBase + (ulong)cpu * ((Scenario.RegionBytes + (1UL << 30) - 1) & ~((1UL << 30) - 1));

    /// <summary>The region's guest-physical address when it is a VFIO guest's memory (guests' memory starts at 0).</summary>
    public ulong GuestPhysical(int cpu) => RegionStart(cpu) - RegionsBase;

    /// <summary>CPU <paramref name="cpu"/>'s GUP caller over its region, <paramref name="batch"/> entries per call (default: the scenario's).</summary>
    public GupCaller GupCaller(int cpu, int? batch = null)
    {
        var s = Scenario;
        var plan = new GupCallerPlan(cpu, Process.Id, Locks, s.Call, batch ?? s.Batch, s.Gup, Costs.Gup, Sim.Options.Lookahead, Net.SameSocketNs);
        return Domain.Mm.GupCaller.Over(plan, RegionStart(cpu), RegionStart(cpu) + s.RegionBytes);
    }

    /// <summary>The device's IOMMU domain (its mode and max segment from the scenario).</summary>
    public IommuDomain AddIommuDomain() => Sim.Add(new IommuDomain("iommu-domain", new DmaDomain(Scenario.IommuMode), Costs.Dma,
        new DeviceLimits { MaxSegmentSize = Scenario.DeviceMaxSegment }, Process.Id));

    /// <summary>The run's result: every metric, its errors and the threads' times.</summary>
    public ScenarioResult Read(ulong seed, SimulationResult run, HostFigures host)
    {
        var s = Scenario;
        var m = new MetricValues();
        var cpus = Rig.Cpus;
        var t = cpus.Select(c => c.Gup).ToList();
        m[Metric.SimTimeNs] = cpus.Select(c => c.FinishedAt).DefaultIfEmpty(0).Max();
        m[Metric.PagesPinned] = t.Sum(g => g.Totals.PagesPinned);
        m[Metric.GupCalls] = t.Sum(g => g.Calls);
        m[Metric.PagetableWalks] = t.Sum(g => g.Totals.Walks);
        m[Metric.FastPathPages] = t.Sum(g => g.Totals.FastPathPages);
        m[Metric.LockedPathPages] = t.Sum(g => g.Totals.LockedPathPages);
        m[Metric.Faults] = t.Sum(g => g.Totals.Faults);
        m[Metric.PinAtomics] = t.Sum(g => g.Totals.PinAtomics);
        m[Metric.OutputEntries] = t.Sum(g => g.Totals.Entries);
        ReadLocks(m, Metric.PtlAcquisitions, Metric.PtlContended, PteLocks, t.Sum(g => g.PrivatePteLocks), out var ptlWait);
        m[Metric.PtlWaitNsP99] = ptlWait.Percentile(99);
        m[Metric.PtlWaitNsMax] = ptlWait.Max;
        ReadLocks(m, Metric.HugeLockAcquisitions, null, HugeLocks, t.Sum(g => g.PrivateHugeLocks), out var hugeWait);
        m[Metric.HugeLockWaitNsP99] = hugeWait.Percentile(99);
        m[Metric.MmapLockAcquisitions] = MmapLock.Metrics.Acquisitions;
        m[Metric.MmapLockWaitNsP99] = MmapLock.Metrics.Wait.Percentile(99);
        m[Metric.VmaLockAcquisitions] = VmaLocks.Sum(l => l.Metrics.Acquisitions);
        m[Metric.CachelineTransfers] = (MmFlags?.Transfers ?? 0) + MmapLock.LineTransfers + VmaLocks.Sum(l => l.LineTransfers);
        m[Metric.DmaUnpinnedAccesses] = Process.UnpinnedAccesses;
        m[Metric.TimeWalkNs] = t.Sum(g => g.WalkNs);
        m[Metric.TimeLockWaitNs] = t.Sum(g => g.LockWaitNs);
        m[Metric.TimeAtomicsNs] = t.Sum(g => g.AtomicsNs);
        m[Metric.Events] = run.Events;
        // Invariants: every CPU finished and unpinned what it pinned; no pin count went negative; no pin is left;
        // no device access reached an unpinned page (the rig adds its device's checks).
        var mm = Process.Mm;
        m[Metric.InvariantViolations] = cpus.Count(c => !c.Clean) + mm.PinViolations + mm.PinnedFolios + Process.UnpinnedAccesses;
        Rig.Read(this, m);
        if (s.DescribeLayout)
        {
            // What each format needs to describe CPU 0's region as the run left it (the device's max segment applies).
            var ranges = mm.PhysicalRanges(RegionStart(0), RegionStart(0) + s.RegionBytes);
            var options = new DescriptorOptions(s.DeviceMaxSegment);
            m[Metric.LayoutRanges] = ranges.Count;
            foreach (var f in DescriptorFormat.All) m[Metric.FormatBytes(f)] = f.Build(ranges, options).Bytes;
        }
        var errors = cpus.Where(c => c.Error is not null).Select(c => c.Error!).ToList();
        return new ScenarioResult(s.Name, seed, m.ToList(), errors, run.Digest, host, Rig.Threads, run.Resources);
    }

    /// <summary>A class of page-table locks: the components' acquisitions and waits, and the CPUs' private ones (uncontended, no wait).</summary>
    private static void ReadLocks(MetricValues m, Metric acquisitions, Metric? contended, IReadOnlyList<Spinlock> shared, long privately,
        out LatencyHistogram wait)
    {
        m[acquisitions] = shared.Sum(l => l.Metrics.Acquisitions) + privately;
        if (contended is not null) m[contended] = shared.Sum(l => l.Metrics.Contended);
        wait = new LatencyHistogram();
        foreach (var l in shared) wait.Add(l.Metrics.Wait);
        wait.Record(0, privately);
    }

    private int Regions => Scenario.SharedRegion ? 1 : Scenario.Cpus;

    /// <summary>The process, its regions faulted in, and the locks its GUP calls take.</summary>
    private void BuildMm(ulong seed)
    {
        var s = Scenario;
        var mm = new AddressSpace(Frames(seed));
        for (var cpu = 0; cpu < Regions; cpu++)
            mm.Map(RegionStart(cpu), s.RegionBytes, s.Backing, DeviceBarPfn + (ulong)cpu * (s.RegionBytes >> Page.Shift));
        if (s.Prefault && s.Backing != Backing.DeviceMemory)
            for (var cpu = 0; cpu < Regions; cpu++)
                mm.Populate(RegionStart(cpu), RegionStart(cpu) + s.RegionBytes, s.Backing.FolioBytes(), s.PrefaultWrites);

        if (s.SharedRegion && s.Cpus > 1) mm.ShareFolioLines(s.CpusPerSocket);
        Process = Sim.Add(new Kernel.Process("mm", mm));
        MmapLock = Sim.Add(new RwSem("mmap_lock", Net));
        MmFlags = s.HasPinnedWrite ? Sim.Add(new SharedCacheLine("mm.flags", Net)) : null;
        VmaLocks = [.. mm.Vmas.Select(v => Sim.Add(new RwSem($"vma{v.Id}.lock", Net)))];
        var pageTableLock = s.SplitPmdLocks ? null : Sim.Add(new Spinlock("mm.page_table_lock", Net));

        // Page-table locks: with a shared region, a lock component per PTE table (2 MiB) and per PMD table (1 GiB), in
        // address order; with private regions each CPU takes its own tables' locks inline (no component).
        var pte = new Dictionary<ulong, Spinlock>();
        var huge = new Dictionary<ulong, Spinlock>();
        var pteScale = s.Backing.MapLevel() == 0;
        for (var cpu = 0; s.SharedRegion && cpu < Regions; cpu++)
        {
            var start = RegionStart(cpu);
            for (var va = start; va < start + s.RegionBytes; va += 1UL << AddressSpace.PmdShift)
            {
                if (pteScale) pte[va >> AddressSpace.PmdShift] = Sim.Add(new Spinlock($"ptl.{va >> AddressSpace.PmdShift:x}", Net));
                else if (s.SplitPmdLocks && !huge.ContainsKey(va >> AddressSpace.PudShift))
                    huge[va >> AddressSpace.PudShift] = Sim.Add(new Spinlock($"pmd_lock.{va >> AddressSpace.PudShift:x}", Net));
            }
        }
        PteLocks = [.. pte.Values];
        HugeLocks = pageTableLock is null ? [.. huge.Values] : [pageTableLock];
        Locks = new LockDirectory
        {
            MmapLock = MmapLock.Id, VmaLocks = [.. VmaLocks.Select(l => l.Id)],
            PteLocks = pte.ToDictionary(kv => kv.Key, kv => kv.Value.Id), PmdLocks = huge.ToDictionary(kv => kv.Key, kv => kv.Value.Id),
            PageTableLock = pageTableLock?.Id ?? LockDirectory.Private, MmFlagsLine = MmFlags?.Id ?? -1, SharedTables = s.SharedRegion,
        };
    }

    /// <summary>The frames faults get: from the pfn file, or the fragmentation model in the backing's frame size.</summary>
    private FrameSource Frames(ulong seed)
    {
        var s = Scenario;
        var size = s.Backing switch
        {
            Backing.Thp or Backing.Hugetlb2M => FrameSize.Pmd,
            Backing.Hugetlb1G => FrameSize.Pud,
            _ => FrameSize.Base,
        };
        if (s.PfnFile is { } file)
        {
            try
            {
                return new FrameSource().With(size, PhysLayout.ToRuns(PfnFile.Read(file)));
            }
            catch (LayoutException e)
            {
                throw new ConfException($"layout.pfns: {e.Message}");
            }
        }
        var frames = (ulong)s.Cpus * (s.RegionBytes >> size.Shift);
        return new FrameSource().Consuming(size, new FragmentationModel(s.Fragmentation, seed).Generate(frames));
    }
}

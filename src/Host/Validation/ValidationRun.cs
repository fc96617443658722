using Phyr.Actors.Calibration;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Kernels;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;
using Phyr.Host.Cli;

namespace Phyr.Host.Validation;

/// <summary>One published figure against the simulation of its case.</summary>
public sealed record ValidationRow(ValidationCase Case, string Measure, double Published, double Simulated)
{
    /// <summary>Simulated over published.</summary>
    public double Ratio => Simulated / Published;

    public bool Within(double tolerance) => Math.Abs(Ratio - 1) <= tolerance;

    public bool WithinFactor(double factor) => Ratio <= factor && Ratio >= 1 / factor;
}

/// <summary>
/// Runs validation cases: each case's workload on its machine and kernel profile, with the one parameter set of the
/// model (no case carries a cost), and reads the measures gup_test prints (the mean over threads; the simulated
/// machine's repeats are identical, so one is run).
/// </summary>
public static class ValidationRun
{
    /// <summary>A calibration case must come within this of its published figure, or the run fails.</summary>
    public const double CalibrationTolerance = 0.25;

    /// <summary>The share of validation figures that should come within this (docs/validation.md).</summary>
    public const double ValidationTolerance = 0.35;

    public static IReadOnlyList<ValidationRow> Run(ValidationCase c) => c.Program switch
    {
        "iommupt_perf" => RunIommuPt(c),
        "vfio-pci-mem-dma-map" => RunVfio(c),
        "rxe-mr-reg-dereg" => RunRxe(c),
        "qemu-vfio-pin" => RunQemu(c),
        _ => RunGupTest(c),
    };

    /// <summary>
    /// VFIO_IOMMU_MAP_DMA and UNMAP_DMA of the test's buffer: a VFIO scenario pinning as the kernel does
    /// (pin_user_pages_remote: the locked path, FOLL_LONGTERM, 512 pages a batch) into a strict domain.
    /// </summary>
    private static IReadOnlyList<ValidationRow> RunVfio(ValidationCase c)
    {
        var w = VfioDmaMap.Parse(c.Workload);
        // MAP_POPULATE of the MAP_SHARED buffer reads its pages in (populate_vma_page_range asks FOLL_WRITE only of private
        // writable mappings); the other sections' buffers are written by the test's memset.
        var run = RunBuffer(c, w.Bytes, w.Backing, s => s with
        {
            Gup = new GupOptions { Walk = GupWalk.Locked, Longterm = true }, Device = DeviceKind.Vfio, IommuMode = Domain.Dma.IommuMode.Strict,
            PrefaultWrites = !w.Populated,
        });
        return [.. c.Figures.Select(f => new ValidationRow(c, f.Measure, f.Value,
            run[(f.Measure == "map-s" ? Metric.VfioMapDmaNs : Metric.VfioUnmapDmaNs).Name] / 1e9))];
    }

    /// <summary>
    /// A guest's start: VFIO_IOMMU_MAP_DMA of memory nothing has touched — every page faulted and cleared by the pin — or,
    /// with prealloc, of memory qemu wrote first.
    /// </summary>
    private static IReadOnlyList<ValidationRow> RunQemu(ValidationCase c)
    {
        var w = QemuVfioPin.Parse(c.Workload);
        var run = RunBuffer(c, w.Bytes, w.Backing, s => s with
        {
            Prefault = w.Prealloc, Gup = new GupOptions { Walk = GupWalk.Locked, Longterm = true }, Device = DeviceKind.Vfio,
            IommuMode = Domain.Dma.IommuMode.Strict,
        });
        return [.. c.Figures.Select(f => new ValidationRow(c, f.Measure, f.Value, run[Metric.VfioMapDmaNs.Name] / 1e9))];
    }

    /// <summary>One ibv_reg_mr + ibv_dereg_mr round on rxe: an RDMA scenario, ib_umem_get's legacy path, no IOMMU (rxe maps nothing).</summary>
    private static IReadOnlyList<ValidationRow> RunRxe(ValidationCase c)
    {
        var w = RxeMrRegDereg.Parse(c.Workload);
        var run = RunBuffer(c, w.Bytes, w.Backing, s => s with
        {
            Gup = new GupOptions { Walk = GupWalk.Fast, Longterm = true }, Device = DeviceKind.Rdma, Dma = Domain.Dma.DmaStrategy.Legacy,
            IommuMode = Domain.Dma.IommuMode.None,
        });
        return [.. c.Figures.Select(f => new ValidationRow(c, f.Measure, f.Value, run[Metric.SimTimeNs.Name] / 1e3))];
    }

    /// <summary>
    /// A test program's buffer on one CPU of the case's machine and kernel: populated before (contiguous frames, as
    /// gup_test's), pinned with pin_user_pages 512 pages a call, the device's path as <paramref name="device"/> sets it.
    /// </summary>
    private static ScenarioResult RunBuffer(ValidationCase c, ulong bytes, Backing backing, Func<Scenario, Scenario> device)
    {
        var scenario = device(new Scenario
        {
            Name = c.Name, Cpus = 1, RegionBytes = bytes, Backing = backing, Fragmentation = 0, Machine = c.Machine,
            CpusPerSocket = c.Machine.CpusPerSocket, Call = GupCallKind.PinUserPages, Batch = 512, Prefault = true,
        });
        using var system = SimulationSystem.Create("phyr-validate", 1);
        return ScenarioRunner.RunAsync(Profiled(c, scenario), 1, system, SimulationSystem.Dispatcher(1), 1).GetAwaiter().GetResult();
    }

    /// <summary>The case's kernel profile and the switches it sets on top, applied to <paramref name="s"/>.</summary>
    private static Scenario Profiled(ValidationCase c, Scenario s)
    {
        s = KernelProfile.Apply(s, c.Kernel);
        foreach (var (feature, on) in c.Features) s = KernelFeature.Find(feature)!.Set(s, on);
        return s;
    }

    /// <summary>One IO page table call on the IOMMU-domain component: a map of SIZE, then its unmap (iommu_unmap_fast).</summary>
    private static IReadOnlyList<ValidationRow> RunIommuPt(ValidationCase c)
    {
        var w = IommuPtPerf.Parse(c.Workload);
        var size = (ulong)w.Count * w.PageSize;
        var scenario = Profiled(c, Scenario.Defaults with { Machine = c.Machine with { Iommu = w.Format }, RegionBytes = size });
        const ulong iova = 1UL << 40, paddr = 1UL << 41; // aligned for any leaf size
        using var system = SimulationSystem.Create("phyr-validate", 1);
        var times = IommuProbe.RunAsync(system, SimulationSystem.Dispatcher(1), scenario.Costs,
            [new IommuProbe.Op.Map(iova, paddr, size), new IommuProbe.Op.UnmapFast(iova, size)], w.PageSize).GetAwaiter().GetResult();
        return [.. c.Figures.Select(f => new ValidationRow(c, f.Measure, f.Value, w.Map ? times[0] : times[1]))];
    }

    private static IReadOnlyList<ValidationRow> RunGupTest(ValidationCase c)
    {
        var plan = GupTestCommand.Plan(c.WorkloadArgs());
        var scenario = Profiled(c, plan.Scenario with { Machine = c.Machine, CpusPerSocket = c.Machine.CpusPerSocket });
        var run = GupTestCommand.Run(plan with { Scenario = scenario, Repeats = 1 }).Single();
        return
        [
            .. c.Figures.Select(f => new ValidationRow(c, f.Measure, f.Value, f.Measure switch
            {
                "get-us" => run.Threads.Average(t => t.GetNs / 1000.0),
                "put-us" => run.Threads.Average(t => t.PutNs / 1000.0),
                _ => throw new InvalidOperationException($"measure {f.Measure}"),
            })),
        ];
    }

    /// <summary>Every case file in <paramref name="directory"/>, by name.</summary>
    public static IReadOnlyList<ValidationCase> LoadAll(string directory) =>
        [.. Directory.GetFiles(directory, "*.conf").Order(StringComparer.Ordinal).Select(ValidationCase.Load)];
}

using Phyr.Actors.Calibration;
using Phyr.Domain.Kernels;
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

    public static IReadOnlyList<ValidationRow> Run(ValidationCase c) => c.Program == "iommupt_perf" ? RunIommuPt(c) : RunGupTest(c);

    /// <summary>One IO page table call on the IOMMU-domain component: a map of SIZE, then its unmap (iommu_unmap_fast).</summary>
    private static IReadOnlyList<ValidationRow> RunIommuPt(ValidationCase c)
    {
        var w = IommuPtPerf.Parse(c.Workload);
        var scenario = KernelProfile.Apply(Scenario.Defaults with { Machine = c.Machine with { Iommu = w.Format }, RegionBytes = (ulong)w.Count * w.PageSize }, c.Kernel);
        foreach (var (feature, on) in c.Features) scenario = KernelFeature.Find(feature)!.Set(scenario, on);
        var size = (ulong)w.Count * w.PageSize;
        const ulong iova = 1UL << 40, paddr = 1UL << 41; // aligned for any leaf size
        using var system = SimulationSystem.Create("phyr-validate", 1);
        var times = IommuProbe.RunAsync(system, SimulationSystem.Dispatcher(1), scenario.Costs,
            [new IommuProbe.Op.Map(iova, paddr, size), new IommuProbe.Op.UnmapFast(iova, size)], w.PageSize).GetAwaiter().GetResult();
        return [.. c.Figures.Select(f => new ValidationRow(c, f.Measure, f.Value, w.Map ? times[0] : times[1]))];
    }

    private static IReadOnlyList<ValidationRow> RunGupTest(ValidationCase c)
    {
        var plan = GupTestCommand.Plan(c.WorkloadArgs());
        var scenario = plan.Scenario with { Machine = c.Machine, CpusPerSocket = c.Machine.CpusPerSocket };
        scenario = KernelProfile.Apply(scenario, c.Kernel);
        foreach (var (feature, on) in c.Features) scenario = KernelFeature.Find(feature)!.Set(scenario, on);
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

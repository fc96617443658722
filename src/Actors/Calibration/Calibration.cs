using Akka.Actor;
using Phyr.Actors.Engine;
using Phyr.Actors.Kernel;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Costs;
using Phyr.Domain.Dma;
using Phyr.Domain.Machines;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Calibration;

/// <summary>A published figure, what the simulation gives for the same operation, and the ratio.</summary>
public sealed record CalibrationPoint(string Figure, string Unit, double Published, double Simulated, string Source)
{
    public double Ratio => Simulated / Published;
    public bool Within(double tolerance) => Math.Abs(Ratio - 1) <= tolerance;
}

/// <summary>
/// Runs what DESIGN.md §4's calibration figures measured, on the simulated machine: the longterm pin of
/// 8 GiB of 4 KiB pages 512 per call and its unpin (gup_test -L), one 4 KiB iommu_map and one
/// iommu_unmap_fast (page table only), one IOTLB invalidation. Each is timed by the simulation, by a
/// component that issues the operation and sees its completion, the link latency of the request and the
/// reply taken off.
/// </summary>
public static class CalibrationRun
{
    public const double Tolerance = 0.25;

    public static async Task<IReadOnlyList<CalibrationPoint>> RunAsync(ActorSystem system, string? dispatcher, CostOverrides overrides)
    {
        var pin = await ScenarioRunner.RunAsync(new Scenario
        {
            // gup_test's region on a benchmark machine: faulted from free high-order blocks, physically contiguous (docs/validation.md).
            Name = "calibration-pin", RegionBytes = 8UL << 30, Backing = Backing.Anon4K, Fragmentation = 0, Call = GupCallKind.PinUserPages,
            Batch = 512, Gup = new GupOptions { Walk = GupWalk.Locked, Longterm = true }, CostOverrides = overrides,
        }, 1, system, dispatcher, 1).ConfigureAwait(false);
        // The IOMMU figures were measured on the iommupt series' i7-12700, the AMD v1 format in software, before iommupt
        // (the "old" column): they run on that machine and code.
        var costs = overrides.Apply(CostModel.Derive(MachineProfiles.CoreI7_12700 with { Iommu = IommuKind.AmdV1 }, KernelCode.Default, memmapBytes: 72, iommuPt: false)); // the memmap and PTE of the one page it maps
        var pages = (double)((8UL << 30) >> Page.Shift);
        var thread = pin.Threads.Single();

        var (map, unmap, inval) = await IommuFigures(system, dispatcher, costs).ConfigureAwait(false);
        return
        [
            new("longterm pin, 4 KiB pages, 512 per call, 8 GiB", "ns/page", 62, thread.GetNs / pages, "kernel commit a03db236aebf (gup_test -L)"),
            new("unpin of the same", "ns/page", 15, thread.PutNs / pages, "kernel commit a03db236aebf"),
            new("iommu_map of one 4 KiB page (page table only)", "ns", 64, map, "iommupt AMDv1 patch v3 04/15 (2025), old AMDv1 code, i7-12700"),
            new("iommu_unmap of one 4 KiB page (page table only)", "ns", 89, unmap, "iommupt AMDv1 patch v3 04/15 (2025), old AMDv1 code, i7-12700"),
            new("IOTLB invalidation", "ns", 2000, inval, "Documentation/ABI/testing/debugfs-intel-iommu example"),
        ];
    }

    /// <summary>A map, an unmap_fast, a map and a synced unmap of one 4 KiB page; the sync is the last minus the page-table part.</summary>
    private static async Task<(double Map, double Unmap, double Invalidation)> IommuFigures(ActorSystem system, string? dispatcher, CostModel costs)
    {
        const ulong iova = 0x10_0000, paddr = 0x4000_0000;
        var d = await IommuProbe.RunAsync(system, dispatcher, costs,
        [
            new IommuProbe.Op.Map(iova, paddr, Page.Size), new IommuProbe.Op.UnmapFast(iova, Page.Size),
            new IommuProbe.Op.Map(iova, paddr, Page.Size), new IommuProbe.Op.UnmapSync(iova, Page.Size),
        ]).ConfigureAwait(false);
        return (d[0], d[1], d[3] - d[1]);
    }
}

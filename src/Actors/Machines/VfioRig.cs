using Phyr.Actors.Kernel;
using Phyr.Domain.Drivers.Vfio;
using Phyr.Domain.Results;

namespace Phyr.Actors.Machines;

/// <summary>A VFIO guest: its assigned device's IOMMU domain, and a thread per CPU mapping its region of guest memory (each at its own guest-physical range).</summary>
public sealed class VfioRig : RegionRig<VfioPinMapDma>
{
    private IommuDomain _iommu = null!;

    public override void Build(Machine machine)
    {
        _iommu = machine.AddIommuDomain();
        var type1 = new VfioType1(machine.Scenario.VfioContigBatch, machine.Scenario.VfioRangeUnpin);
        // Before 4d83de6da265 vaddr_get_pfn pinned one page per pin_user_pages_remote.
        var batch = machine.Scenario.VfioBatchPin ? (int?)null : 1;
        AddThreads(machine, (cpu, name) => VfioPinMapDma.For(name, machine.GupCaller(cpu, batch), _iommu.Id, machine.GuestPhysical(cpu), type1));
    }

    public override void Read(Machine machine, MetricValues metrics)
    {
        base.Read(machine, metrics);
        _iommu.Read(metrics);
        metrics[Metric.DmaSegments] = Flows.Sum(f => f.Mapping?.DeviceSegments.Count ?? 0);
        // The means over the CPUs whose VFIO_IOMMU_MAP_DMA returned (a failed one has no times).
        var mapped = Flows.Where(f => f.MappedAt >= 0).ToList();
        metrics[Metric.VfioMapDmaNs] = mapped.Count == 0 ? 0 : Math.Round(mapped.Average(f => (double)f.MapDmaNs), 1);
        metrics[Metric.VfioUnmapDmaNs] = mapped.Count == 0 ? 0 : Math.Round(mapped.Average(f => (double)f.UnmapDmaNs), 1);
    }
}

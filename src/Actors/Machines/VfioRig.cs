using Phyr.Actors.Kernel;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.Vfio;
using Phyr.Domain.Results;

namespace Phyr.Actors.Machines;

/// <summary>A VFIO guest: its assigned device's IOMMU domain, and a thread per CPU mapping its region of guest memory (each at its own guest-physical range).</summary>
public sealed class VfioRig : IRig
{
    private readonly RegionThreads<VfioPinMapDma> _threads = new();
    private IommuDomain _iommu = null!;

    public IReadOnlyList<ICpuFlow> Cpus => _threads.Cpus;
    public IReadOnlyList<ThreadTimes> Threads => _threads.Threads;

    public void Build(Machine machine)
    {
        _iommu = machine.AddIommuDomain();
        _threads.Build(machine, (cpu, name) => VfioPinMapDma.For(name, machine.GupCaller(cpu), _iommu.Id, machine.GuestPhysical(cpu)));
    }

    public void Read(Machine machine, MetricValues metrics)
    {
        _threads.Read(metrics);
        _iommu.Read(metrics);
        metrics[Metric.DmaSegments] = _threads.Flows.Sum(f => f.Mapping?.DeviceSegments.Count ?? 0);
    }
}

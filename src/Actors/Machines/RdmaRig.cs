using Phyr.Actors.Devices;
using Phyr.Actors.Kernel;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.Rdma;
using Phyr.Domain.Results;

namespace Phyr.Actors.Machines;

/// <summary>RDMA memory registration: the NIC's IOMMU domain, the NIC, and a thread per CPU registering its region as an MR.</summary>
public sealed class RdmaRig : IRig
{
    private readonly RegionThreads<IbUmemRegistration> _threads = new();
    private IommuDomain _iommu = null!;

    public IReadOnlyList<ICpuFlow> Cpus => _threads.Cpus;
    public IReadOnlyList<ThreadTimes> Threads => _threads.Threads;

    public void Build(Machine machine)
    {
        var s = machine.Scenario;
        _iommu = machine.AddIommuDomain();
        var nic = machine.Sim.Add(new RdmaNic("rdma-nic", s.Costs.Dma, _iommu.Id));
        var plan = new RegistrationPlan(s.Dma!.Value, _iommu.Id, nic.Id, s.DeviceMaxSegment, s.Costs.Dma);
        _threads.Build(machine, (cpu, name) => IbUmemRegistration.For(name, machine.GupCaller(cpu), plan));
    }

    public void Read(Machine machine, MetricValues metrics)
    {
        _threads.Read(metrics);
        _iommu.Read(metrics);
        var flows = _threads.Flows;
        metrics[Metric.DmaSegments] = flows.Sum(f => f.Mapping?.DeviceSegments.Count ?? 0);
        metrics[Metric.DeviceEntries] = flows.Sum(f => f.DeviceEntries);
    }
}

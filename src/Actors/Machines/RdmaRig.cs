using Phyr.Actors.Devices;
using Phyr.Actors.Kernel;
using Phyr.Domain.Drivers.Rdma;
using Phyr.Domain.Results;

namespace Phyr.Actors.Machines;

/// <summary>RDMA memory registration: the NIC's IOMMU domain, the NIC, and a thread per CPU registering its region as an MR.</summary>
public sealed class RdmaRig : RegionRig<IbUmemRegistration>
{
    private IommuDomain _iommu = null!;

    public override void Build(Machine machine)
    {
        var s = machine.Scenario;
        _iommu = machine.AddIommuDomain();
        var nic = machine.Sim.Add(new RdmaNic("rdma-nic", machine.Costs.Dma, _iommu.Id));
        var plan = new RegistrationPlan(s.Dma!.Value, _iommu.Id, nic.Id, s.DeviceMaxSegment, machine.Costs.Dma, s.UmemRangeUnpin);
        AddThreads(machine, (cpu, name) => IbUmemRegistration.For(name, machine.GupCaller(cpu), plan));
    }

    public override void Read(Machine machine, MetricValues metrics)
    {
        base.Read(machine, metrics);
        _iommu.Read(metrics);
        metrics[Metric.DmaSegments] = Flows.Sum(f => f.Mapping?.DeviceSegments.Count ?? 0);
        metrics[Metric.DeviceEntries] = Flows.Sum(f => f.DeviceEntries);
    }
}

using Phyr.Actors.Devices;
using Phyr.Actors.Drivers;
using Phyr.Actors.Kernel;
using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.Nvme;
using Phyr.Domain.Memory;
using Phyr.Domain.Results;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Machines;

/// <summary>NVMe O_DIRECT I/O: the controller's IOMMU domain, the controller, and a thread per CPU doing I/O at the queue depth.</summary>
public sealed class NvmeRig : IRig
{
    private readonly List<DriverThread<DirectIo>> _threads = [];
    private IommuDomain _iommu = null!;

    public IReadOnlyList<ICpuFlow> Cpus => [.. _threads.Select(t => (ICpuFlow)t.Flow)];
    public IReadOnlyList<ThreadTimes> Threads => [];

    public void Build(Machine machine)
    {
        var s = machine.Scenario;
        _iommu = machine.AddIommuDomain();
        var nvme = machine.Sim.Add(new NvmeController("nvme0", s.Nvme.LatencyNs, s.Nvme.BytesPerSecond / 1e9, _iommu.Id));
        var ioPages = (int)(s.Nvme.IoBytes >> Page.Shift);
        for (var cpu = 0; cpu < s.Cpus; cpu++)
        {
            var plan = new DirectIoPlan(machine.RegionStart(cpu), s.Nvme.IoBytes, s.Nvme.QueueDepth, s.Nvme.Ios, _iommu.Id, nvme.Id, s.Dma!.Value,
                s.Nvme.DataPolicy, machine.Costs.Dma, s.Nvme.FixedBuffers);
            _threads.Add(machine.Sim.Add(new DriverThread<DirectIo>($"cpu{cpu}", DirectIo.For($"cpu{cpu}", machine.GupCaller(cpu, ioPages), plan))));
        }
        foreach (var t in _threads) machine.Sim.Inject(t, DirectIo.Start.Instance);
    }

    public void Read(Machine machine, MetricValues metrics)
    {
        _iommu.Read(metrics);
        var flows = _threads.Select(t => t.Flow).ToList();
        var ios = flows.Sum(f => f.Completed);
        var simTime = metrics[Metric.SimTimeNs];
        var latency = new LatencyHistogram();
        foreach (var t in _threads) latency.Add(t.Samples(Distribution.IoLatency));
        metrics[Metric.DmaSegments] = flows.Sum(f => f.DmaSegments);
        metrics[Metric.DeviceEntries] = flows.Sum(f => f.DescriptorEntries);
        metrics[Metric.Ios] = ios;
        metrics[Metric.Iops] = simTime == 0 || flows.Count == 0 ? 0 : Math.Round(ios * 1e9 / simTime, 1);
        metrics[Metric.IoLatencyNsP50] = latency.Percentile(50);
        metrics[Metric.IoLatencyNsP99] = latency.Percentile(99);
        metrics[Metric.NvmeListBytesPeak] = flows.Sum(f => f.ListBytesPeak);
        metrics[Metric.NvmeSglIos] = flows.Sum(f => f.Setups[(int)NvmeDataSetup.Sgl] + f.Setups[(int)NvmeDataSetup.SglSimple]);
        metrics[Metric.NvmeSingleSegmentIos] = flows.Sum(f => f.Setups[(int)NvmeDataSetup.PrpSimple] + f.Setups[(int)NvmeDataSetup.SglSimple]);
    }
}

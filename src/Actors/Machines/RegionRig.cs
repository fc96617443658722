using Phyr.Actors.Drivers;
using Phyr.Domain.Drivers;
using Phyr.Domain.Results;

namespace Phyr.Actors.Machines;

/// <summary>
/// A rig whose threads each run a region flow over their CPU's region (gup_test, RDMA registration, a VFIO guest): a
/// driver thread per CPU, started together, and the metrics such threads measure — pin time per page and descriptor bytes.
/// </summary>
public abstract class RegionRig<TFlow> : IRig where TFlow : RegionFlow<TFlow>
{
    private readonly List<DriverThread<TFlow>> _threads = [];

    protected IReadOnlyList<TFlow> Flows => [.. _threads.Select(t => t.Flow)];
    public IReadOnlyList<ICpuFlow> Cpus => [.. _threads.Select(t => (ICpuFlow)t.Flow)];
    public IReadOnlyList<ThreadTimes> Threads => [.. _threads.Select(t => t.Flow.Times)];

    public abstract void Build(Machine machine);

    public virtual void Read(Machine machine, MetricValues m)
    {
        var flows = Flows;
        var pages = flows.Sum(f => f.Gup.Totals.PagesPinned);
        m[Metric.PinNsPerPage] = pages == 0 || flows.Count == 0 ? 0 : Math.Round((double)flows.Sum(f => f.Times.Finished - f.Times.Start) / pages, 3);
        m[Metric.DescriptorBytesPeak] = flows.Sum(f => f.DescriptorBytesPeak);
    }

    /// <summary>Adds a thread per CPU running <paramref name="flow"/>'s flow (given the CPU and the thread's name), then starts them all.</summary>
    protected void AddThreads(Machine machine, Func<int, string, TFlow> flow)
    {
        for (var cpu = 0; cpu < machine.Scenario.Cpus; cpu++)
            _threads.Add(machine.Sim.Add(new DriverThread<TFlow>($"cpu{cpu}", flow(cpu, $"cpu{cpu}"))));
        foreach (var t in _threads) machine.Sim.Inject(t, RegionFlow.Start.Instance);
    }
}

using Phyr.Actors.Drivers;
using Phyr.Domain.Drivers;
using Phyr.Domain.Results;

namespace Phyr.Actors.Machines;

/// <summary>A driver thread per CPU, each running a region flow over its CPU's region: what the region rigs share.</summary>
public sealed class RegionThreads<TFlow> where TFlow : RegionFlow<TFlow>
{
    private readonly List<DriverThread<TFlow>> _threads = [];

    public IReadOnlyList<TFlow> Flows => [.. _threads.Select(t => t.Flow)];
    public IReadOnlyList<ICpuFlow> Cpus => [.. _threads.Select(t => (ICpuFlow)t.Flow)];
    public IReadOnlyList<ThreadTimes> Threads => [.. _threads.Select(t => t.Flow.Times)];

    /// <summary>Adds a thread per CPU running <paramref name="flow"/>'s flow, then starts them all.</summary>
    public void Build(Machine machine, Func<int, string, TFlow> flow)
    {
        for (var cpu = 0; cpu < machine.Scenario.Cpus; cpu++)
            _threads.Add(machine.Sim.Add(new DriverThread<TFlow>($"cpu{cpu}", flow(cpu, $"cpu{cpu}"))));
        foreach (var t in _threads) machine.Sim.Inject(t, RegionFlow.Start.Instance);
    }

    /// <summary>Pin time per page (each thread's start to finish over all pages pinned) and the descriptor bytes held.</summary>
    public void Read(MetricValues m)
    {
        var flows = Flows;
        var pages = flows.Sum(f => f.Gup.Totals.PagesPinned);
        m[Metric.PinNsPerPage] = pages == 0 || flows.Count == 0 ? 0 : Math.Round((double)flows.Sum(f => f.Times.Finished - f.Times.Start) / pages, 3);
        m[Metric.DescriptorBytesPeak] = flows.Sum(f => f.DescriptorBytesPeak);
    }
}

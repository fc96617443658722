using Phyr.Domain.Drivers;
using Phyr.Domain.Drivers.GupTest;
using Phyr.Domain.Results;

namespace Phyr.Actors.Machines;

/// <summary>Pinning alone, as gup_test does (and a scenario without a DMA strategy): a thread per CPU pins its region and unpins it.</summary>
public sealed class GupTestRig : IRig
{
    private readonly RegionThreads<GupTestIoctl> _threads = new();

    public IReadOnlyList<ICpuFlow> Cpus => _threads.Cpus;
    public IReadOnlyList<ThreadTimes> Threads => _threads.Threads;

    public void Build(Machine machine) => _threads.Build(machine, (cpu, name) => GupTestIoctl.For(name, machine.GupCaller(cpu)));

    public void Read(Machine machine, MetricValues metrics) => _threads.Read(metrics);
}

using Phyr.Domain.Drivers.GupTest;

namespace Phyr.Actors.Machines;

/// <summary>Pinning alone, as gup_test does (and a scenario without a DMA strategy): a thread per CPU pins its region and unpins it.</summary>
public sealed class GupTestRig : RegionRig<GupTestIoctl>
{
    public override void Build(Machine machine) => AddThreads(machine, (cpu, name) => GupTestIoctl.For(name, machine.GupCaller(cpu)));
}

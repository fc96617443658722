using Phyr.Actors.Machines;
using Phyr.Domain.Drivers;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Simulation;

namespace PhyrSuite;

/// <summary>
/// A driver of your own: a device that keeps its own translation of every page it is given (as a software RDMA device
/// does), written as each pin call returns — one entry and <see cref="EntryNs"/> of CPU time a 4 KiB page — then the
/// region unpinned. A <see cref="RegionFlow{TSelf}"/> does the pinning (the simulated mm, its locks, the cost model);
/// the flow adds what the device does with each call's output.
/// </summary>
public sealed record MyRegistration : RegionFlow<MyRegistration>
{
    /// <summary>The CPU time to write one entry of the device's table: your device's figure.</summary>
    public const long EntryNs = 4;

    public long EntriesWritten { get; init; }

    protected override MyRegistration CallReturned(long now, GupCall call, long delay, Effects fx)
    {
        var pages = (long)(call.Bytes >> 12);
        var next = this with { EntriesWritten = EntriesWritten + pages };
        var done = delay + pages * EntryNs;
        return next.Gup.MoreToPin ? next.PinNext(done, fx) : next.Unpin(now, done, fx);
    }
}

/// <summary>The device in the simulated machine: a thread per CPU registering its region, and what it measured.</summary>
public sealed class MyDevice : RegionRig<MyRegistration>
{
    public override void Build(Machine machine) =>
        AddThreads(machine, (cpu, name) => new MyRegistration { Name = name, Gup = machine.GupCaller(cpu) });

    public override void Read(Machine machine, MetricValues metrics)
    {
        base.Read(machine, metrics);
        metrics[Metric.DeviceEntries] = Flows.Sum(f => f.EntriesWritten);
    }
}

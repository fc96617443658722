using Phyr.Domain.Drivers;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Machines;

/// <summary>
/// What one kind of device adds to the simulated machine: its components (an IOMMU domain, the device, a driver
/// thread per CPU), the start of each thread, and — after the run — the metrics only its parts measured. The
/// machine's own parts (the mm and its locks) are built first and read by <see cref="Machine"/>.
/// </summary>
public interface IRig
{
    /// <summary>Adds the rig's components to <paramref name="machine"/>'s simulation and injects the threads' starts.</summary>
    void Build(Machine machine);

    /// <summary>Each CPU's flow as it is now (after the run: as it ended), in CPU order.</summary>
    IReadOnlyList<ICpuFlow> Cpus { get; }

    /// <summary>Each pinning thread's get/put times (empty for a rig whose threads do I/O).</summary>
    IReadOnlyList<ThreadTimes> Threads { get; }

    /// <summary>Adds what the rig's parts measured to <paramref name="metrics"/>, its invariant violations included.</summary>
    void Read(Machine machine, MetricValues metrics);
}

/// <summary>The rig of each device kind.</summary>
public static class Rigs
{
    public static IRig For(Scenario s) => s.Device switch
    {
        DeviceKind.Nvme => new NvmeRig(),
        DeviceKind.Vfio => new VfioRig(),
        _ => s.Dma is null ? new GupTestRig() : new RdmaRig(),
    };
}

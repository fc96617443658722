using Phyr.Actors.Testing;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;

namespace PhyrSuite;

/// <summary>Your own device (<see cref="MyDevice"/>) in the simulated machine, beside the shipped ones.</summary>
public class MyDeviceTests : PhyrTestKit
{
    private static readonly Scenario Registration = new()
    {
        Name = "my-device",
        Cpus = 2,
        RegionBytes = 8UL << 20,
        Call = GupCallKind.PinUserPages,
        Batch = 512,
    };

    [Fact]
    public void It_writes_an_entry_a_page_and_leaves_nothing_pinned()
    {
        var run = Run(Registration, _ => new MyDevice()).EnsureClean();
        Assert.Equal(2 * 2048, run[Metric.PagesPinned]);
        Assert.Equal(run[Metric.PagesPinned], run[Metric.DeviceEntries]);
        Assert.Equal(0, run[Metric.InvariantViolations]);
    }

    [Fact]
    public void Its_writes_cost_time_and_a_run_is_the_same_on_any_partition_count()
    {
        var plain = Run(Registration).EnsureClean();                 // the shipped pinning alone
        var mine = Run(Registration, _ => new MyDevice()).EnsureClean();
        Assert.True(mine[Metric.SimTimeNs] > plain[Metric.SimTimeNs]);
        var four = new SimulatedMachine(Registration, partitions: 4).WithRig(_ => new MyDevice()).Run(Sys);
        Assert.Equal(mine.Digest, four.Digest);
    }
}

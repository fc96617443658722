using Phyr.Actors.Testing;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Tests.Testing;

/// <summary>The Phyr.TestKit package's base class: a run through it is the run SimulatedMachine makes.</summary>
public class PhyrTestKitTests : PhyrTestKit
{
    private static readonly Scenario Small = new() { Name = "kit", RegionBytes = 4UL << 20, Fragmentation = 0.3, Batch = 16 };

    [Fact]
    public void Run_is_a_simulated_machine_on_the_suites_actor_system()
    {
        var viaKit = Run(Small, seed: 5).EnsureClean();
        var direct = new SimulatedMachine(Small, seed: 5).Run(Sys).EnsureClean();
        Assert.Equal(direct.Digest, viaKit.Digest);
        Assert.Equal(direct.Metrics, viaKit.Metrics);
        Assert.Equal(1024, viaKit[Metric.PagesPinned]);
    }
}

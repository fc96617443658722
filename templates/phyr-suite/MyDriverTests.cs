using Phyr.Actors.Testing;
using Phyr.Domain.Dma;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;

namespace PhyrSuite;

/// <summary>The example of Phyr's docs/test-kit.md: a driver's registration, varied and checked on simulated machines.</summary>
public class MyDriverTests : PhyrTestKit
{
    private static readonly Scenario Registration = new()
    {
        Name = "my-driver",
        RegionBytes = 8UL << 20,
        Fragmentation = 0.5,
        Call = GupCallKind.GetUserPhyrs,
        Batch = 16,
        Gup = new GupOptions { Walk = GupWalk.Locked },
        Dma = DmaStrategy.PhyrNative,
        IommuMode = IommuMode.Strict,
    };

    [Fact]
    public void A_bigger_batch_takes_fewer_calls_and_locks()
    {
        var small = Run(Registration, seed: 42).EnsureClean();
        var large = Run(Registration with { Batch = 512 }, seed: 42).EnsureClean();

        Assert.True(large[Metric.GupCalls] < small[Metric.GupCalls]);
        Assert.True(large[Metric.PtlAcquisitions] < small[Metric.PtlAcquisitions]);
        Assert.Equal(small[Metric.PagesPinned], large[Metric.PagesPinned]);
        Assert.Equal(1, small[Metric.DmaSegments]);    // the IOMMU gives the NIC one contiguous range
    }

    [Fact]
    public void A_run_is_the_same_on_any_partition_count()
    {
        var one = new SimulatedMachine(Registration with { Cpus = 4 }, seed: 7, partitions: 1).Run(Sys);
        var four = new SimulatedMachine(Registration with { Cpus = 4 }, seed: 7, partitions: 4).Run(Sys);
        Assert.Equal(one.Digest, four.Digest);
        Assert.Equal(one.Metrics, four.Metrics);
    }
}

using Akka.TestKit.Xunit2;
using Phyr.Actors.Testing;
using Phyr.Domain.Dma;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Tests.Testing;

/// <summary>
/// The example of docs/test-kit.md, as a user would write it in their own suite: a plain TestKit, a scenario in
/// code, assertions on metrics and digests.
/// </summary>
public class TestKitExampleTests : TestKit
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
        var machine = new SimulatedMachine(Registration, seed: 42);
        var small = machine.Run(Sys).EnsureClean();
        var large = machine.With(s => s with { Batch = 512 }).Run(Sys).EnsureClean();

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

    [Fact]
    public void EnsureClean_reports_what_went_wrong()
    {
        var p2p = new SimulatedMachine(Registration with { Backing = Backing.DeviceMemory, Call = GupCallKind.PinUserPages, Dma = DmaStrategy.Legacy });
        var e = Assert.Throws<InvalidOperationException>(() => p2p.Run(Sys).EnsureClean());
        Assert.Contains("no struct page", e.Message);
        Assert.Throws<KeyNotFoundException>(() => p2p.Run(Sys)["no_such_metric"]);
    }
}

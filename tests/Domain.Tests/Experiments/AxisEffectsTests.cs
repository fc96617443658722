using Phyr.Domain.Experiments;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Results;

namespace Phyr.Domain.Tests.Experiments;

public class AxisEffectsTests
{
    private static ExperimentPoint P(int index, params (string, string)[] axes) => new(index, axes, 0, 0, new Scenario { Name = "p" });

    [Fact]
    public void Ratios_pair_points_that_differ_only_in_the_axis()
    {
        // batch x cpus: time 100/50 at 1 CPU, 400/100 at 4 CPUs. batch 16 -> 512 halves it at 1 CPU, quarters it at 4:
        // geometric mean sqrt(0.5 x 0.25) = 0.3536.
        var points = new List<(ExperimentPoint, double?)>
        {
            (P(0, ("gup.batch", "16"), ("cpus", "1")), 100), (P(1, ("gup.batch", "16"), ("cpus", "4")), 400),
            (P(2, ("gup.batch", "512"), ("cpus", "1")), 50), (P(3, ("gup.batch", "512"), ("cpus", "4")), 100),
        };
        var effects = AxisEffects.Of([["gup.batch"], ["cpus"]], points, Metric.SimTimeNs.Name);
        var batch = Assert.Single(effects, e => e.Axis == "gup.batch");
        Assert.Equal(("16", "512", 2), (batch.From, batch.To, batch.Pairs));
        Assert.Equal(Math.Sqrt(0.125), batch.GeoMean, 9);
        Assert.Equal((0.25, "cpus=4"), (batch.Min, batch.MinAt));
        Assert.Equal((0.5, "cpus=1"), (batch.Max, batch.MaxAt));
        var cpus = Assert.Single(effects, e => e.Axis == "cpus");
        Assert.Equal((4.0, 2.0), (cpus.Max, cpus.Min));
    }

    [Fact]
    public void Coupled_keys_are_one_axis_and_zero_or_missing_bases_give_no_pair()
    {
        var points = new List<(ExperimentPoint, double?)>
        {
            (P(0, ("dma.strategy", "legacy"), ("gup.call", "pin_user_pages"), ("iommu.mode", "none")), 0),
            (P(1, ("dma.strategy", "legacy"), ("gup.call", "pin_user_pages"), ("iommu.mode", "strict")), 10),
            (P(2, ("dma.strategy", "phyr-native"), ("gup.call", "get_user_phyrs"), ("iommu.mode", "none")), 5),
            (P(3, ("dma.strategy", "phyr-native"), ("gup.call", "get_user_phyrs"), ("iommu.mode", "strict")), 6),
        };
        var effects = AxisEffects.Of([["dma.strategy", "gup.call"], ["iommu.mode"]], points, "m");
        var strategy = Assert.Single(effects, e => e.Axis == "dma.strategy+gup.call");
        Assert.Equal(("legacy+pin_user_pages", "phyr-native+get_user_phyrs"), (strategy.From, strategy.To));
        Assert.Equal(1, strategy.Pairs);                 // the iommu.mode=none pair has a zero base
        Assert.Equal(0.6, strategy.GeoMean, 9);
        Assert.Equal("iommu.mode=strict", strategy.MinAt);
        var mode = Assert.Single(effects, e => e.Axis == "iommu.mode");
        Assert.Equal(1, mode.Pairs);
        Assert.Equal(1.2, mode.GeoMean, 9);
    }
}

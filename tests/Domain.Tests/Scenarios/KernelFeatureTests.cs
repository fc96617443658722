using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Tests.Scenarios;

/// <summary>The one list of kernel feature switches: what each sets, and that scenario files reach every one.</summary>
public class KernelFeatureTests
{
    [Fact]
    public void Each_switch_sets_its_own_part_of_the_scenario_and_nothing_else()
    {
        Assert.Equal(["folio-batched-pin", "hugetlb-head-refcount", "has-pinned-write", "thp-slow-batch", "unpin-folio-batched", "longterm-check-per-page", "umem-range-unpin", "vfio-batch-pin", "vfio-contig-batch", "vfio-range-unpin", "iommupt", "nvme-single-segment", "nvme-dma-iter", "per-vma-lock", "split-pmd-locks"],
            KernelFeature.All.Select(f => f.Name));
        foreach (var f in KernelFeature.All)
        {
            var flipped = f.Set(Scenario.Defaults, !f.Default);
            Assert.Equal(!f.Default, f.Get(flipped));
            Assert.Equal(Scenario.Defaults, f.Set(flipped, f.Default));
            foreach (var other in KernelFeature.All.Where(o => o != f)) Assert.Equal(other.Default, other.Get(flipped));
            Assert.False(string.IsNullOrWhiteSpace(f.Source));
        }
    }

    [Fact]
    public void A_scenario_file_sets_every_switch_hugetlb_head_refcount_included()
    {
        foreach (var f in KernelFeature.All)
        {
            var s = ScenarioFile.Parse($"{f.Key} = {(f.Default ? "off" : "on")}\n", "t.conf", ".");
            Assert.Equal(!f.Default, f.Get(s));
        }
        Assert.Contains("features.hugetlb-head-refcount", ScenarioFile.Keys.Keys);
    }
}

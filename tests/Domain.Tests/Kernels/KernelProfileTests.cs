using Phyr.Domain.Kernels;
using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Tests.Kernels;

/// <summary>Kernel profiles: the switches as each version's commits leave them.</summary>
public class KernelProfileTests
{
    private static Scenario At(int major, int minor) => KernelProfile.Apply(Scenario.Defaults, new KernelVersion(major, minor));

    [Fact]
    public void Todays_profile_is_the_switches_defaults()
    {
        Assert.Equal(Scenario.Defaults with { Kernel = KernelProfile.Latest }, At(6, 19));
        Assert.False(KernelFeature.Find("iommupt")!.Get(At(6, 18)));
    }

    [Fact]
    public void Each_change_takes_effect_in_its_version()
    {
        bool On(Scenario s, string feature) => KernelFeature.Find(feature)!.Get(s);
        // 5.11: before Joao Martins' hugetlb and unpin batching, and before the per-subpage longterm check.
        Assert.Equal((false, false, false, true), (On(At(5, 11), "hugetlb-head-refcount"), On(At(5, 11), "unpin-folio-batched"),
            On(At(5, 11), "longterm-check-per-page"), On(At(5, 11), "has-pinned-write")));
        Assert.Equal((true, true), (On(At(5, 12), "hugetlb-head-refcount"), On(At(5, 12), "unpin-folio-batched")));
        Assert.True(On(At(5, 13), "longterm-check-per-page"));
        Assert.False(On(At(5, 14), "has-pinned-write"));
        Assert.Equal((false, true), (On(At(6, 5), "thp-slow-batch"), On(At(6, 6), "thp-slow-batch")));
        Assert.Equal((true, false), (On(At(6, 15), "longterm-check-per-page"), On(At(6, 16), "longterm-check-per-page")));
        // No version gives GUP per-VMA locks.
        Assert.All(new[] { At(3, 13), At(6, 4), At(6, 19) }, s => Assert.False(On(s, "per-vma-lock")));
    }

    [Fact]
    public void Every_change_names_a_switch_and_a_commit()
    {
        Assert.All(KernelChange.All, c =>
        {
            Assert.NotNull(KernelFeature.Find(c.Feature));
            Assert.Matches("^[0-9a-f]{12}$", c.Commit);
            Assert.True(c.Since >= KernelProfile.Oldest && c.Since <= KernelProfile.Latest, c.Commit);
        });
        Assert.Equal(KernelChange.All.OrderBy(c => c.Since), KernelChange.All);
    }

    [Theory]
    [InlineData("6.15", null)]
    [InlineData("6.15.3", null)]
    [InlineData("6.16-rc2", null)]
    [InlineData("3.10", "3.10 is outside the kernel profiles (3.13 to 6.19)")]
    [InlineData("7.0", "7.0 is outside the kernel profiles (3.13 to 6.19)")]
    [InlineData("latest", "'latest' is not a kernel version (major.minor, e.g. 6.15)")]
    [InlineData("6", "'6' is not a kernel version (major.minor, e.g. 6.15)")]
    public void Versions_are_read_strictly(string text, string? problem)
    {
        Assert.Equal(problem, KernelProfile.Problem(text));
    }
}

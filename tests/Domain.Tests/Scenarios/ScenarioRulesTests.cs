using Phyr.Domain.Drivers.Nvme;
using Phyr.Domain.Config;
using Phyr.Domain.Costs;
using Phyr.Domain.Dma;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Tests.Scenarios;

/// <summary>What a machine cannot be built with: one set of rules, read by the file reader (file:line: key) and by the builder.</summary>
public class ScenarioRulesTests
{
    [Fact]
    public void The_defaults_are_a_machine_and_each_broken_rule_names_its_key()
    {
        Assert.Empty(Scenario.Defaults.Problems());
        Assert.Equal("layout.pfns", Assert.Single((Scenario.Defaults with { PfnFile = "x.pfn", Backing = Backing.Thp, RegionBytes = 2UL << 20 }).Problems()).Key);
        Assert.Equal("dma.strategy", Assert.Single((Scenario.Defaults with { Dma = DmaStrategy.Legacy }).Problems()).Key);
        Assert.Equal("cpus", Assert.Single((Scenario.Defaults with { Cpus = 0 }).Problems()).Key);
        Assert.Equal("cost-model: cacheline.cross-socket-ns",
            Assert.Single((Scenario.Defaults with { CostOverrides = new([("cacheline.cross-socket-ns", 1)]) }).Problems()).Key);
        var nvme = Scenario.Defaults with { Device = DeviceKind.Nvme, Dma = DmaStrategy.Legacy, Call = GupCallKind.PinUserPages, Prefault = false };
        Assert.Equal(["prefault"], nvme.Problems().Select(p => p.Key));
        // O_DIRECT pins with pin_user_pages: device memory (no struct page) cannot be its buffer.
        Assert.Equal(["backing"], (nvme with { Prefault = true, Backing = Backing.DeviceMemory }).Problems().Select(p => p.Key));
        Assert.Empty((nvme with { Prefault = true, Backing = Backing.DeviceMemory, Call = GupCallKind.GetUserPhyrs, Dma = DmaStrategy.PhyrNative }).Problems());
    }

    [Fact]
    public void The_file_reader_reports_a_rule_at_the_line_of_its_key()
    {
        var e = Assert.Throws<ConfException>(() => ScenarioFile.Parse("backing = thp\nregion = 2M\nlayout.pfns = frames.pfn\n", "s.conf", "."));
        Assert.Equal("s.conf:3: layout.pfns: gives 4 KiB frames: use it with backing = anon-4k", e.Message);
    }

    [Fact]
    public void The_nvme_descriptor_names_what_the_controller_allows_and_a_kernel_profile_sets_nvme_map_datas_code()
    {
        Assert.Equal(new NvmeDataPolicy(NvmeSglUse.Unsupported), ScenarioFile.Parse("device = nvme\n", "s.conf", ".").Nvme.DataPolicy);
        var auto = ScenarioFile.Parse("device = nvme\nnvme.descriptor = auto\nnvme.sgl-threshold = 64K\n", "s.conf", ".").Nvme;
        Assert.Equal(new NvmeDataPolicy(NvmeSglUse.Supported, 64 * 1024), auto.DataPolicy);
        Assert.Equal(NvmeSglUse.Forced, ScenarioFile.Parse("device = nvme\nnvme.descriptor = sgl\n", "s.conf", ".").Nvme.Sgl);
        var old = ScenarioFile.Parse("device = nvme\nkernel = 6.16\n", "s.conf", ".").Nvme;
        Assert.True(old.SingleSegment);
        Assert.False(old.DmaIter);
        Assert.False(ScenarioFile.Parse("device = nvme\nkernel = 5.1\n", "s.conf", ".").Nvme.SingleSegment);
        var e = Assert.Throws<ConfException>(() => ScenarioFile.Parse("device = nvme\nnvme.descriptor = sgls\n", "s.conf", "."));
        Assert.StartsWith("s.conf:2: nvme.descriptor:", e.Message);
    }
}

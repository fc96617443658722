using Phyr.Actors.Machines;
using Phyr.Actors.Testing;
using Phyr.Domain.Dma;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Tests.Machines;

/// <summary>The machine a scenario builds: a rig per device kind, the catalogue's metrics, every serial resource measured.</summary>
public class MachineTests : EngineTestKit
{
    private static readonly Scenario Small = new() { Name = "m", RegionBytes = 2UL << 20, Fragmentation = 1.0, Batch = 64 };

    private MachineRun Run(Scenario s) => new SimulatedMachine(s, 3, 2).Run(Sys, TwoThreads).EnsureClean();

    [Fact]
    public void Each_device_kind_gets_its_rig()
    {
        Assert.IsType<GupTestRig>(Rigs.For(Small));
        Assert.IsType<RdmaRig>(Rigs.For(Small with { Dma = DmaStrategy.PhyrNative }));
        Assert.IsType<VfioRig>(Rigs.For(Small with { Device = DeviceKind.Vfio }));
        Assert.IsType<NvmeRig>(Rigs.For(Small with { Device = DeviceKind.Nvme, Dma = DmaStrategy.Legacy }));
    }

    [Fact]
    public void A_run_reports_every_catalogue_metric_in_its_order_and_the_layout_ones_only_when_asked()
    {
        var plain = Run(Small);
        Assert.Equal(Metric.All.Select(m => m.Name), plain.Result.Metrics.Select(m => m.Name));
        var described = Run(Small with { DescribeLayout = true });
        Assert.Equal(Metric.All.Concat(Metric.Layout).Select(m => m.Name), described.Result.Metrics.Select(m => m.Name));
        Assert.Equal(512, described[Metric.LayoutRanges]); // no two frames contiguous
    }

    [Fact]
    public void The_iova_rbtree_lock_invalidation_queue_command_engine_and_pcie_link_are_in_the_resource_metrics()
    {
        var rdma = Run(Small with { Dma = DmaStrategy.PhyrNative, Cpus = 2 });
        var names = rdma.Resources.Select(r => r.Name).ToList();
        Assert.Contains("iommu-domain.iova_rbtree_lock", names);
        Assert.Contains("iommu-domain.invalidation_queue", names);
        var engine = rdma.Resources.Single(r => r.Name == "rdma-nic.command_engine");
        Assert.Equal(4, engine.Acquisitions); // a register and a deregister per CPU
        Assert.Equal(rdma[Metric.IotlbInvalidations], rdma.Resources.Single(r => r.Name == "iommu-domain.invalidation_queue").Acquisitions);

        var nvme = Run(Small with { Device = DeviceKind.Nvme, Dma = DmaStrategy.Legacy, Call = GupCallKind.PinUserPages, RegionBytes = 32 * 4096,
            Nvme = new NvmeWorkload { QueueDepth = 4, Ios = 50 } });
        Assert.Equal(50, nvme.Resources.Single(r => r.Name == "nvme0.pcie_link").Acquisitions);
    }

    /// <summary>O_DIRECT pins with FOLL_PIN, and gup_fast_fallback sets MMF_HAS_PINNED for every FOLL_PIN call (mm/gup.c).</summary>
    [Fact]
    public void O_direct_pins_write_the_has_pinned_flag_line_too_when_the_switch_is_on()
    {
        var nvme = Small with { Device = DeviceKind.Nvme, Dma = DmaStrategy.Legacy, Call = GupCallKind.PinUserPages, RegionBytes = 32 * 4096, Cpus = 2,
            Nvme = new NvmeWorkload { QueueDepth = 4, Ios = 50 } };
        var before = Run(nvme);
        var after = Run(nvme with { HasPinnedWrite = true });
        Assert.Equal(before[Metric.Events] + 2 * 2 * 50, after[Metric.Events]); // an atomic and its completion per I/O
        Assert.True(after[Metric.CachelineTransfers] > 2, $"{after[Metric.CachelineTransfers]} transfers of the flag line between two CPUs");
        Assert.Equal(0, before[Metric.CachelineTransfers]);
    }

    [Fact]
    public void A_scenario_written_in_code_that_breaks_a_rule_is_refused_naming_the_key()
    {
        var e = Assert.Throws<ArgumentException>(() => Run(Small with { Dma = DmaStrategy.Legacy }));
        Assert.Contains("dma.strategy: legacy maps a page array: it needs gup.call = pin_user_pages", e.Message);
    }
}

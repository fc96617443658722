using Phyr.Domain.Machines;
using Phyr.Actors.Scenarios;
using Phyr.Actors.Testing;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Results;

namespace Phyr.Actors.Tests.Scenarios;

/// <summary>What the kernel's semantics imply, shown by the simulation (issue 4's "done when", pinning part).</summary>
public class PinningScenarioTests : EngineTestKit
{
    private const ulong FourMiB = 4UL << 20;

    /// <summary>Through the scenario test kit, as a user's suite would.</summary>
    private MachineRun Run(Scenario s, int parallelism = 2, ulong seed = 3) =>
        new SimulatedMachine(s, seed, parallelism).Run(Sys, TwoThreads);

    /// <summary>4 MiB of 4 KiB pages, no two frames contiguous, faulted in.</summary>
    private static Scenario Scattered(GupCallKind call, int batch, GupWalk walk) => new()
    {
        Name = "t", RegionBytes = FourMiB, Fragmentation = 1.0, Call = call, Batch = batch, Gup = new GupOptions { Walk = walk },
    };

    [Theory]
    [InlineData(16, 32)]
    [InlineData(512, 1)]
    public void Locked_get_user_phyrs_takes_32_ptl_per_2MiB_at_batch_16_and_1_at_512(int batch, int perTwoMiB)
    {
        var r = Run(Scattered(GupCallKind.GetUserPhyrs, batch, GupWalk.Locked));
        Assert.Equal(2 * perTwoMiB, r[Metric.PtlAcquisitions]);
        Assert.Equal(1024, r[Metric.PagesPinned]);
        Assert.Equal(1024, r[Metric.OutputEntries]);
        Assert.Equal(1024 / batch, r[Metric.GupCalls]);
        Assert.Equal(r[Metric.GupCalls], r[Metric.PagetableWalks]);
        Assert.Equal(0, r[Metric.InvariantViolations]);
        Assert.Empty(r.Errors);
    }

    [Fact]
    public void The_legacy_slow_path_locks_per_page_and_the_fast_path_not_at_all()
    {
        Assert.Equal(1024, Run(Scattered(GupCallKind.PinUserPages, 512, GupWalk.Locked))[Metric.PtlAcquisitions]);
        Assert.Equal(1024, Run(Scattered(GupCallKind.PinUserPages, 512, GupWalk.Locked))[Metric.PagetableWalks]);
        Assert.Equal(0, Run(Scattered(GupCallKind.PinUserPages, 512, GupWalk.Fast))[Metric.PtlAcquisitions]);
        Assert.Equal(0, Run(Scattered(GupCallKind.GetUserPhyrs, 16, GupWalk.Fast))[Metric.PtlAcquisitions]);
    }

    [Fact]
    public void Smaller_batches_cost_more_virtual_time()
    {
        var b16 = Run(Scattered(GupCallKind.GetUserPhyrs, 16, GupWalk.Locked));
        var b512 = Run(Scattered(GupCallKind.GetUserPhyrs, 512, GupWalk.Locked));
        Assert.True(b16[Metric.SimTimeNs] > b512[Metric.SimTimeNs], $"{b16[Metric.SimTimeNs]} <= {b512[Metric.SimTimeNs]}");
        Assert.True(b16[Metric.PinNsPerPage] > b512[Metric.PinNsPerPage]);
    }

    [Fact]
    public void Locked_longterm_pinning_of_4k_pages_costs_about_the_published_62_ns_per_page()
    {
        // gup_test -L: pin_user_pages (the locked path), FOLL_LONGTERM, 512 pages per call; then unpin (15 ns/page): the
        // calibration case, on contiguous frames of a region whose struct pages do not fit in the LLC (8 GiB there; here 64 MiB
        // on a machine with a 1 MiB LLC).
        var contiguous = Scattered(GupCallKind.PinUserPages, 512, GupWalk.Locked) with
        {
            RegionBytes = 64UL << 20, Fragmentation = 0, Machine = MachineProfiles.Default with { LlcBytes = 1UL << 20 },
        };
        var locked = Run(contiguous);
        Assert.InRange(locked[Metric.PinNsPerPage], (62 + 15) * 0.9, (62 + 15) * 1.1);
        // The fast path: no lookup or lock per page, but three atomics per small folio instead of one.
        var fast = Run(contiguous with { Gup = contiguous.Gup with { Walk = GupWalk.Fast } });
        Assert.True(fast[Metric.PinNsPerPage] < locked[Metric.PinNsPerPage], $"{fast[Metric.PinNsPerPage]} >= {locked[Metric.PinNsPerPage]}");
        // Scattered frames: every page's struct page line is a miss (DRAM latency; a locked RMW keeps later loads waiting).
        var scattered = Run(contiguous with { Fragmentation = 1.0 });
        Assert.True(scattered[Metric.PinNsPerPage] > locked[Metric.PinNsPerPage] + 60, $"{scattered[Metric.PinNsPerPage]} vs {locked[Metric.PinNsPerPage]}");
    }

    [Fact]
    public void Cpus_pinning_one_shared_region_contend_for_its_page_table_locks()
    {
        var shared = Scattered(GupCallKind.PinUserPages, 512, GupWalk.Locked) with { Cpus = 4, SharedRegion = true };
        var r = Run(shared, parallelism: 3);
        Assert.Equal(4 * 1024, r[Metric.PtlAcquisitions]);    // every CPU takes every page's lock
        Assert.True(r[Metric.PtlContended] > 0);
        Assert.True(r[Metric.PtlWaitNsP99] > 0);
        Assert.Equal(4 * 1024, r[Metric.PagesPinned]);
        Assert.Equal(0, r[Metric.InvariantViolations]);        // four pins per page, four unpins
        var own = Run(shared with { SharedRegion = false }, parallelism: 3);
        Assert.Equal(0, own[Metric.PtlContended]);             // private regions: each CPU's locks are its own
        Assert.Equal(Run(shared, parallelism: 1).Metrics, r.Metrics);
    }

    [Fact]
    public void Hugetlb_1GiB_pages_give_one_phyr_per_contiguous_run()
    {
        var s = new Scenario
        {
            Name = "huge", Backing = Backing.Hugetlb1G, RegionBytes = 8UL << 30, Fragmentation = 0.5, Batch = 512,
            Gup = new GupOptions { Walk = GupWalk.Locked },
        };
        var runs = new FragmentationModel(0.5, 5).Generate(8);
        var r = Run(s, seed: 5);
        Assert.Equal(runs.Count, r[Metric.OutputEntries]);
        Assert.Equal(8, r[Metric.HugeLockAcquisitions]);
        Assert.Equal(8L * 262144, r[Metric.PagesPinned]);
    }

    [Fact]
    public void Results_are_identical_for_any_parallelism()
    {
        var s = Scattered(GupCallKind.GetUserPhyrs, 16, GupWalk.Locked) with { Cpus = 4, HasPinnedWrite = true, Fragmentation = 0.5 };
        var one = Run(s, parallelism: 1);
        var two = Run(s, parallelism: 2);
        var five = Run(s, parallelism: 5);
        Assert.Equal(one.Metrics, two.Metrics);
        Assert.Equal(one.Metrics, five.Metrics);
        Assert.Equal(one.Digest, five.Digest);
        Assert.True(one[Metric.CachelineTransfers] > 0); // four CPUs writing the mm's flag line
    }

    [Fact]
    public void Device_memory_fails_pin_user_pages_and_works_with_phyrs()
    {
        var device = new Scenario { Name = "p2p", Backing = Backing.DeviceMemory, RegionBytes = FourMiB, Batch = 16 };
        var legacy = Run(device with { Call = GupCallKind.PinUserPages });
        Assert.Contains("-EFAULT", Assert.Single(legacy.Errors));
        Assert.Contains("no struct page", legacy.Errors[0]);
        var phyrs = Run(device with { Call = GupCallKind.GetUserPhyrs });
        Assert.Empty(phyrs.Errors);
        Assert.Equal(1, phyrs[Metric.OutputEntries]);   // a contiguous BAR is one phyr
        Assert.Equal(0, phyrs[Metric.PagesPinned]);      // described, not pinned
    }
}

using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Tests.Scenarios;

public class FootprintTests
{
    private const ulong G = 1UL << 30;

    [Fact]
    public void Memory_is_the_runtime_a_cost_per_folio_and_one_per_run_of_frames_by_device()
    {
        const ulong pages = 16 * (G / 1024); // 64 GiB of 4 KiB pages
        var rdma = Scenario.Defaults with { RegionBytes = 64 * G, Device = DeviceKind.Rdma, Fragmentation = 0.5 };
        Assert.Equal(Footprint.RuntimeBytes + pages * 39 / 2, Footprint.Bytes(rdma));
        Assert.Equal(Footprint.RuntimeBytes + pages * (12 + 7), Footprint.Bytes(rdma with { Device = DeviceKind.Vfio }));
        Assert.Equal(Footprint.RuntimeBytes + 32768 * 39 / 2, Footprint.Bytes(rdma with { Backing = Backing.Thp }));
        // Contiguous frames are one run; with none contiguous every frame is a run, as with a pfn file's frames.
        Assert.Equal(Footprint.RuntimeBytes + pages * 12, Footprint.Bytes(rdma with { Fragmentation = 0 }));
        Assert.Equal(Footprint.RuntimeBytes + pages * (12 + 15), Footprint.Bytes(rdma with { Fragmentation = 1 }));
        // A pfn file's frames count as runs of one, and as frames that may each have a pin-count block of their own (so many at most).
        Assert.Equal(Footprint.Bytes(rdma with { Fragmentation = 1 }) + pages * 88, Footprint.Bytes(rdma with { PfnFile = "layout.pfn" }));
        Assert.Equal(Footprint.Bytes(rdma with { Fragmentation = 1, RegionBytes = 1024 * G }) + Footprint.PinBlocksMaxBytes,
            Footprint.Bytes(rdma with { PfnFile = "layout.pfn", RegionBytes = 1024 * G }));
        // Every CPU has its own region unless they share one.
        Assert.Equal(Footprint.RuntimeBytes + 4 * pages * 39 / 2, Footprint.Bytes(rdma with { Cpus = 4 }));
    }

    [Fact]
    public void A_terabyte_fits_the_reference_machine_and_a_registration_of_three_and_a_half_with_no_two_frames_contiguous_does_not()
    {
        const ulong reference = 23_500UL << 20; // the 2-core VM's memory as the GC reports it (23.5 GiB)
        var guest = Scenario.Defaults with { RegionBytes = 1024 * G, Device = DeviceKind.Vfio, Fragmentation = 0.5 };
        Assert.Null(Footprint.Problem(guest, reference));
        Assert.Null(Footprint.Problem(guest with { Fragmentation = 1 }, reference));
        Assert.Null(Footprint.Problem(guest with { Device = DeviceKind.Rdma }, reference));
        Assert.Null(Footprint.Problem(guest with { Device = DeviceKind.Rdma, Fragmentation = 1 }, reference));
        Assert.Contains("the run needs about 23.9 GiB of memory",
            Footprint.Problem(guest with { RegionBytes = 3584 * G, Device = DeviceKind.Rdma, Fragmentation = 1 }, reference));
    }

    [Fact]
    public void Host_time_is_said_only_for_runs_that_take_a_while()
    {
        var small = Scenario.Defaults with { RegionBytes = G };
        var large = small with { RegionBytes = 256 * G };
        Assert.Equal(0.3 + 262144 * 500e-9, Footprint.HostSeconds(small), 9);
        Assert.Equal(0.3 + 131072 * 500e-9 + 256 * 262144 * 20e-9, Footprint.HostSeconds(large with { Backing = Backing.Thp }), 9);
        Assert.Null(Footprint.Notice([small]));
        Assert.Equal("estimated about 34 s of host time and 1.5 GiB of memory (from its keys; docs/scenarios.md)", Footprint.Notice([large]));
        // An experiment's points, two at a time: half the sum, twice the largest.
        Assert.Equal("estimated about 2 min of host time and 2.9 GiB of memory (from its keys; docs/scenarios.md)",
            Footprint.Notice([large, large, large, large, large, large, large, large], atOnce: 2));
    }
}

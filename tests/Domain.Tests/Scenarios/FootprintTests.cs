using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Tests.Scenarios;

public class FootprintTests
{
    private const ulong G = 1UL << 30;

    [Fact]
    public void Memory_is_the_runtime_and_a_cost_per_folio_by_device()
    {
        var rdma = Scenario.Defaults with { RegionBytes = 64 * G, Device = DeviceKind.Rdma };
        Assert.Equal(Footprint.RuntimeBytes + 16 * (G / 1024) * 88, Footprint.Bytes(rdma));           // 16 Mi pages
        Assert.Equal(Footprint.RuntimeBytes + 16 * (G / 1024) * 64, Footprint.Bytes(rdma with { Device = DeviceKind.Vfio }));
        Assert.Equal(Footprint.RuntimeBytes + 32768 * 88, Footprint.Bytes(rdma with { Backing = Backing.Thp }));
        // Every CPU has its own region unless they share one.
        Assert.Equal(Footprint.RuntimeBytes + 4 * 16 * (G / 1024) * 88, Footprint.Bytes(rdma with { Cpus = 4 }));
    }

    [Fact]
    public void A_terabyte_guest_fits_the_reference_machine_and_a_terabyte_registration_does_not()
    {
        const ulong reference = 23_500UL << 20; // the 2-core VM's memory as the GC reports it (23.5 GiB)
        var guest = Scenario.Defaults with { RegionBytes = 1024 * G, Device = DeviceKind.Vfio };
        Assert.Null(Footprint.Problem(guest, reference));
        Assert.Contains("the run needs about 22.3 GiB of memory", Footprint.Problem(guest with { Device = DeviceKind.Rdma }, reference));
    }

    [Fact]
    public void Host_time_is_said_only_for_runs_that_take_a_while()
    {
        var small = Scenario.Defaults with { RegionBytes = G };
        var large = small with { RegionBytes = 256 * G };
        Assert.Equal(0.3 + 262144 * 650e-9, Footprint.HostSeconds(small), 9);
        Assert.Equal(0.3 + 131072 * 650e-9 + 256 * 262144 * 20e-9, Footprint.HostSeconds(large with { Backing = Backing.Thp }), 9);
        Assert.Null(Footprint.Notice([small]));
        Assert.Equal("estimated about 44 s of host time and 5.8 GiB of memory (from its keys; docs/scenarios.md)", Footprint.Notice([large]));
        // An experiment's points, two at a time: half the sum, twice the largest.
        Assert.Equal("estimated about 3 min of host time and 11.5 GiB of memory (from its keys; docs/scenarios.md)",
            Footprint.Notice([large, large, large, large, large, large, large, large], atOnce: 2));
    }
}

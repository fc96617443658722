using Phyr.Actors.Engine;
using Phyr.Actors.Kernel;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Actors.Tests.Scenarios;

/// <summary>The DMA-safety checks catch a device that reaches memory it should not.</summary>
public class InvariantTests : EngineTestKit
{
    private sealed class RogueDevice(string name, int domain, PhysRange[] segments) : SimComponent(name)
    {
        public sealed record Go;

        protected internal override void OnMessage(SimContext ctx, object message) =>
            ctx.Send(domain, new IommuProtocol.DeviceAccess(segments));
    }

    [Fact]
    public void Accesses_to_unmapped_iovas_and_unpinned_pages_are_counted()
    {
        const ulong va = 1UL << 40;
        var mm = new AddressSpace(new FrameSource().With(FrameSize.Base, [new FrameRun(5000, 4)]));
        mm.Map(va, 4 * Page.Size, Backing.Anon4K);
        for (ulong i = 0; i < 4; i++) mm.Fault(va + i * Page.Size);
        Gup.PinUserPages(mm, va, va + 2 * Page.Size, 2, new GupOptions());   // pages 5000, 5001 pinned; 5002, 5003 not
        var dma = new DmaDomain(IommuMode.Strict);
        var mapping = dma.MapAt(0x10_0000, [new PhysRange(5000UL << 12, 4 * Page.Size)]); // all four mapped at IOVA 1 MiB

        var sim = new Simulation(new SimulationOptions { Partitions = 2 });
        var process = sim.Add(new Kernel.Process("mm", mm));
        var domain = sim.Add(new IommuDomain("iommu", dma, DmaCosts.Default, DeviceLimits.Default, process.Id));
        var rogue = sim.Add(new RogueDevice("rogue", domain.Id,
        [
            new PhysRange(0x10_0000, 2 * Page.Size),          // mapped and pinned: fine
            new PhysRange(0x10_0000 + 2 * Page.Size, Page.Size), // mapped, but the page is not pinned
            new PhysRange(0x90_0000, Page.Size),              // not mapped at all: an IOMMU fault
        ]));
        sim.Inject(rogue, new RogueDevice.Go());
        RunOn(sim, TwoThreads);

        Assert.Equal(6, domain.DmaAccesses);
        Assert.Equal(2, domain.DmaFaults);                   // first and last byte of the unmapped segment
        Assert.Equal(2, process.UnpinnedAccesses);           // first and last byte of the unpinned page
        Assert.Equal(4, process.AccessesChecked);
        Assert.Single(mapping.DeviceSegments);
    }

    [Fact]
    public void Pinned_means_the_folio_holds_a_pin()
    {
        var frames = new FrameSource().With(FrameSize.Base, [new FrameRun(1024, 1), new FrameRun(2000, 1)]).With(FrameSize.Pmd, [new FrameRun(7, 1)]);
        var mm = new AddressSpace(frames);
        const ulong va = 1UL << 40;
        mm.Map(va, 2 * Page.Size, Backing.Anon4K);
        mm.Map(va + (1UL << 30), 1UL << 21, Backing.Thp);
        mm.Fault(va);
        mm.Fault(va + Page.Size);
        mm.Fault(va + (1UL << 30));
        Gup.PinUserPages(mm, va, va + Page.Size, 1, new GupOptions());                   // the 4 KiB folio at pfn 1024
        Gup.PinUserPages(mm, va + (1UL << 30), va + (1UL << 30) + Page.Size, 1, new GupOptions()); // one page of the 2 MiB folio
        Assert.True(mm.IsPinned(1024));
        Assert.False(mm.IsPinned(1025));  // same 2 MiB-aligned block as pfn 1024, but 1024 is a 4 KiB folio
        Assert.False(mm.IsPinned(2000));
        Assert.True(mm.IsPinned(7 * 512 + 300)); // any page of a folio with a pin
    }
}

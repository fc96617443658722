using Phyr.Domain.Config;
using Phyr.Domain.Costs;
using Phyr.Domain.Machines;

namespace Phyr.Domain.Tests.Machines;

/// <summary>Machine profiles: shipped ones are sound, machine files are read strictly, and the costs are made of them.</summary>
public class MachineProfileTests
{
    [Fact]
    public void Shipped_profiles_are_sound_and_sourced()
    {
        Assert.All(MachineProfiles.All, m =>
        {
            Assert.Empty(m.Problems());
            Assert.False(string.IsNullOrWhiteSpace(m.Sources));
        });
        Assert.Equal(40, MachineProfiles.XeonE5_2630v4.Cpus); // the 292648ac5cf1 host
        Assert.Same(MachineProfiles.X86Server, MachineProfiles.Default);
    }

    [Fact]
    public void Costs_are_products_of_the_machine_and_the_kernel_code()
    {
        var m = MachineProfiles.XeonE5_2630v4;
        var code = KernelCode.Default;
        var cold = CostModel.Derive(m, code);
        Assert.Equal(4 * m.L1Ns, cold.Gup.WalkNs);
        Assert.Equal(code.LookupCycles / m.Ghz, cold.Gup.LookupNs);
        Assert.Equal((m.AtomicNs, m.DramNs, m.StreamLineNs), (cold.Gup.PinAtomicNs, cold.Gup.LineMissNs, cold.Gup.LineStreamedNs));
        Assert.Equal((42L, 115L), (cold.CacheLineSameSocketNs, cold.CacheLineCrossSocketNs));
        // A memmap that fits in the LLC is served from it.
        var warm = CostModel.Derive(m, code, memmapBytes: 1UL << 20);
        Assert.Equal(m.LlcNs, warm.Gup.LineMissNs);
        Assert.True(warm.Gup.LineStreamedNs < cold.Gup.LineStreamedNs);
    }

    [Fact]
    public void A_machine_file_changes_a_shipped_profile_and_refuses_what_it_cannot_read()
    {
        var dir = Directory.CreateTempSubdirectory("phyr-machine-");
        try
        {
            var good = Path.Combine(dir.FullName, "mine.conf");
            File.WriteAllText(good, "base = xeon-e5-2630v4\ndram-ns = 120\nllc-bytes = 30M\niotlb-invalidation-ns = 650\n");
            var mine = MachineProfileFile.Load(good);
            Assert.Equal(("mine", 120.0, 30UL << 20, 2.2), (mine.Name, mine.DramNs, mine.LlcBytes, mine.Ghz));
            // The IOMMU's invalidation latency is the machine's: the DMA path's costs take it.
            Assert.Equal(650, CostModel.Derive(mine, KernelCode.Default).Dma.IotlbInvalidationNs);
            Assert.Equal(2000, CostModel.Derive(MachineProfiles.Default, KernelCode.Default).Dma.IotlbInvalidationNs);

            var bad = Path.Combine(dir.FullName, "bad.conf");
            File.WriteAllText(bad, "ghz = fast\n");
            Assert.Equal($"{bad}:1: ghz: 'fast' is not a number", Assert.Throws<ConfException>(() => MachineProfileFile.Load(bad)).Message);
            File.WriteAllText(bad, "pin-atomic-ns = 3\n");
            Assert.StartsWith($"{bad}:1: unknown key 'pin-atomic-ns'", Assert.Throws<ConfException>(() => MachineProfileFile.Load(bad)).Message);
            File.WriteAllText(bad, "dram-ns = 2\n");
            Assert.Equal($"{bad}:1: dram-ns: 2 is below llc-ns (24)", Assert.Throws<ConfException>(() => MachineProfileFile.Load(bad)).Message);
            Assert.StartsWith("unknown machine 'epyc'", Assert.Throws<ConfException>(() => MachineProfileFile.Resolve("epyc")).Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}

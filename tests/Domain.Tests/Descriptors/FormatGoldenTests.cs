using Phyr.Domain.Descriptors;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Descriptors;

/// <summary>Entry counts and bytes worked out by hand from each format's kernel definition.</summary>
public class FormatGoldenTests
{
    private const ulong P = 4096;

    private static Dictionary<string, Descriptor> All(string runs, FrameSize size, ulong offset = 0, ulong? length = null,
        ulong maxSegment = 0xFFFFF000)
    {
        var layout = PhysLayout.Create(size, RunList.Parse(runs), offset, length);
        return DescriptorFormat.All.ToDictionary(f => f.Name, f => f.Build(layout.Ranges, new DescriptorOptions(maxSegment)));
    }

    [Fact]
    public void Wilcox_1GiB_example_is_one_phyr_and_four_power_of_two_entries()
    {
        var d = All("3-10", FrameSize.Pud);
        Assert.Equal(1, d["phyr"].Entries);
        Assert.Equal(4, d["power-of-two"].Entries);
        Assert.Equal(8L * 262144, d["page-array"].Entries);
        Assert.Equal(1, d["phyr-list-packed"].Entries);
        Assert.Equal(32 + 12, d["phyr-list-packed"].Bytes); // one 12-byte run: 4 blocks would take 32
        Assert.Equal(1, d["pfn-batch"].Entries);
    }

    [Fact]
    public void Power_of_two_split_is_the_greedy_buddy_split()
    {
        Assert.Equal([new NaturalBlock(3, 0), new NaturalBlock(4, 2), new NaturalBlock(8, 1), new NaturalBlock(10, 0)],
            NaturalBlock.Split(3, 8));
        Assert.Equal([new NaturalBlock(0, 4)], NaturalBlock.Split(0, 16));
        Assert.Equal([new NaturalBlock(512, 9), new NaturalBlock(1024, 0)], NaturalBlock.Split(512, 513));
    }

    [Fact]
    public void Packed_list_uses_8_bytes_for_a_natural_block_and_12_for_any_other_run()
    {
        Assert.Equal(32 + 8, All("0", FrameSize.Base)["phyr-list-packed"].Bytes);     // single 4 KiB pfn
        Assert.Equal(32 + 8, All("4-7", FrameSize.Base)["phyr-list-packed"].Bytes);   // order-2 block
        Assert.Equal(32 + 12, All("3-4", FrameSize.Base)["phyr-list-packed"].Bytes);  // unaligned pair
        Assert.Equal(32 + 8, All("5", FrameSize.Pmd)["phyr-list-packed"].Bytes);      // a 2 MiB page is order 9
    }

    [Fact]
    public void Eight_GiB_contiguous_hits_the_u32_limits_where_the_kernel_does()
    {
        var d = All("0-7", FrameSize.Pud);
        // sg: max_segment 0xFFFFF000 -> 3 segments; bvec: u32 page-granular -> same cut.
        Assert.Equal(3, d["scatterlist"].Entries);
        Assert.Equal(3, d["bio-vec"].Entries);
        Assert.Equal([new PhysRange(0, 0xFFFFF000), new PhysRange(0xFFFFF000, 0xFFFFF000), new PhysRange(0x1FFFFE000, 0x2000)],
            d["bio-vec"].Decode());
        // phys_vec: the 4 GiB segment boundary cuts the second bvec at 4 GiB.
        Assert.Equal([new PhysRange(0, 0xFFFFF000), new PhysRange(0xFFFFF000, 0x1000), new PhysRange(0x100000000, 0xFFFFE000),
            new PhysRange(0x1FFFFE000, 0x2000)], d["phys-vec"].Decode());
        Assert.Equal(1, d["phyr"].Entries);
    }

    [Fact]
    public void Bio_vec_with_an_offset_reaches_2_to_the_32_minus_offset()
    {
        var d = All("0-4", FrameSize.Pud, offset: 100);
        Assert.Equal([new PhysRange(100, (1UL << 32) - 100), new PhysRange(1UL << 32, 1UL << 30)], d["bio-vec"].Decode());
    }

    [Theory]
    [InlineData(1, 0, 16)]        // PRP1 only
    [InlineData(2, 0, 16)]        // PRP1 + PRP2
    [InlineData(3, 2, 16 + 256)]  // list of 2 in the small pool
    [InlineData(33, 32, 16 + 256)]
    [InlineData(34, 33, 16 + 4096)]
    [InlineData(513, 512, 16 + 4096)]
    [InlineData(514, 513, 16 + 2 * 4096)]   // 511 + link, then 2
    [InlineData(1024, 1023, 16 + 2 * 4096)]
    [InlineData(1025, 1024, 16 + 3 * 4096)]
    public void Nvme_prp_lists(int pages, long listEntries, long bytes)
    {
        var d = All($"0-{2 * pages - 1}", FrameSize.Base, length: (ulong)pages * P);
        var prp = (NvmePrp)d["nvme-prp"];
        Assert.Equal(pages, prp.Entries);
        Assert.Equal(listEntries, prp.List.ListEntries);
        Assert.Equal(bytes, prp.Bytes);
    }

    [Fact]
    public void Nvme_prp_first_entry_carries_the_offset()
    {
        var prp = NvmePrp.Build(PhysLayout.Create(FrameSize.Base, RunList.Parse("7,9"), offset: 512, length: 5000).Ranges);
        Assert.Equal([7 * P + 512, 9 * P], prp.PrpEntries());
    }

    [Theory]
    [InlineData(1, 16)]              // in the command
    [InlineData(2, 16 + 256)]
    [InlineData(16, 16 + 256)]
    [InlineData(17, 16 + 4096)]
    [InlineData(256, 16 + 4096)]
    [InlineData(257, 16 + 2 * 4096)] // 255 + segment descriptor, then 2
    [InlineData(511, 16 + 2 * 4096)]
    [InlineData(512, 16 + 3 * 4096)]
    public void Nvme_sgl_lists(int segments, long bytes)
    {
        var runs = string.Join(",", Enumerable.Range(0, segments).Select(i => (2 * i).ToString()));
        var sgl = All(runs, FrameSize.Base)["nvme-sgl"];
        Assert.Equal(segments, sgl.Entries);
        Assert.Equal(bytes, sgl.Bytes);
    }

    [Fact]
    public void Pfn_batch_is_header_plus_12_bytes_per_run()
    {
        var d = All("0-3,10,20-21", FrameSize.Base);
        Assert.Equal(3, d["pfn-batch"].Entries);
        Assert.Equal(32 + 3 * 12, d["pfn-batch"].Bytes);
    }

    [Fact]
    public void Page_based_formats_refuse_sub_page_interior_boundaries()
    {
        PhysRange[] ranges = [new(0, 100), new(8192, 100)];
        Assert.Throws<UnrepresentableException>(() => PageArray.Build(ranges));
        Assert.Throws<UnrepresentableException>(() => NvmePrp.Build(ranges));
        Assert.Equal(2, PhyrArray.Build(ranges).Entries);
        Assert.Equal(2, PackedPhyrList.Build(ranges).Entries);
        Assert.Equal(32 + 16 + 8, PackedPhyrList.Build(ranges).Bytes); // byte range, then a page-mode last range
    }
}

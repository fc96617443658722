using Phyr.Domain.Iommu;

namespace Phyr.Domain.Tests.Iommu;

public class IoPageTableTests
{
    private const ulong K4 = 1 << 12, M2 = 1 << 21, G1 = 1 << 30;

    [Fact]
    public void Four_KiB_pages_write_one_leaf_each_and_allocate_three_tables_once()
    {
        var pt = new IoPageTable();
        var op = pt.Map(0x1000_0000, 0x5000_0000, 16 * K4);
        Assert.Equal(new IoPtOp(1, 16, 3), op);   // one map_pages call of 16 pages; level 3, 2, 1 tables
        Assert.Equal(new IoPtOp(1, 1, 0), pt.Map(0x1000_0000 + 16 * K4, 0x9000_0000, K4)); // same tables
        Assert.Equal(0x5000_0000UL + 5 * K4 + 7, pt.Translate(0x1000_0000 + 5 * K4 + 7));
        Assert.Null(pt.Translate(0x1000_0000 + 17 * K4));
    }

    [Fact]
    public void Aligned_ranges_take_large_leaves()
    {
        var pt = new IoPageTable();
        var op = pt.Map(G1, 3 * G1, G1 + M2 + K4);
        Assert.Equal(3, op.MapPagesCalls);        // 1 GiB, then 2 MiB, then 4 KiB
        Assert.Equal(3, op.PtesWritten);
        Assert.Equal(3 * G1 + G1 + M2, pt.Translate(G1 + G1 + M2));
        Assert.Equal((3L, G1 + M2 + K4), pt.Unmap(G1, G1 + M2 + K4));
        Assert.Equal(0, pt.Leaves);
    }

    [Fact]
    public void Mapping_twice_is_EEXIST_and_unmapping_a_hole_fails()
    {
        var pt = new IoPageTable();
        pt.Map(0, 0, K4);
        Assert.Throws<InvalidOperationException>(() => pt.Map(0, K4, K4));
        Assert.Throws<InvalidOperationException>(() => pt.Map(0, 0, M2)); // a 2 MiB leaf over an existing 4 KiB one
        Assert.Throws<InvalidOperationException>(() => pt.Unmap(K4, K4));
    }

    [Fact]
    public void Unmapping_part_of_a_large_leaf_removes_all_of_it()
    {
        var pt = new IoPageTable();
        pt.Map(0, 0, M2);
        Assert.Equal((1L, M2), pt.Unmap(0, K4));
        Assert.Null(pt.Translate(M2 - 1));
    }
}

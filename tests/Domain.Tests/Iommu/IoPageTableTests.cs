using FsCheck;
using FsCheck.Fluent;
using Phyr.Domain.Iommu;
using Phyr.Domain.Memory;

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
        Assert.Equal((3L, G1 + M2 + K4, 3), pt.Unmap(G1, G1 + M2 + K4)); // __iommu_unmap's pieces: 1 GiB, 2 MiB, 4 KiB
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
        Assert.Equal((1L, M2, 1), pt.Unmap(0, K4));
        Assert.Null(pt.Translate(M2 - 1));
    }

    /// <summary>
    /// Runs of 4 KiB leaves that cross level-1 tables (mapped a table at a time): every page translates, every leaf and
    /// every table is counted once, unmapping clears them all — against a page-by-page reference.
    /// </summary>
    [Fact]
    public void Runs_of_small_leaves_across_tables_match_a_page_by_page_reference()
    {
        var runs = Gen.Choose(1, 1500).Zip(Gen.Choose(0, 700)).ListOf();
        Prop.ForAll(runs.ToArbitrary(), list =>
        {
            var pt = new IoPageTable();
            var expected = new Dictionary<ulong, ulong>();
            var tables = new HashSet<(int, ulong)>();
            ulong iova = 0x7F_0000_0000 + 37 * K4, paddr = 0x1_0000_1000;
            long tablesAllocated = 0, leaves = 0;
            foreach (var (pages, gap) in list)
            {
                var size = (ulong)pages * K4;
                // An odd physical offset keeps every leaf 4 KiB (no 2 MiB alignment between iova and paddr).
                var op = pt.Map(iova, paddr, size);
                for (ulong i = 0; i < (ulong)pages; i++)
                {
                    var va = iova + i * K4;
                    expected[va] = paddr + i * K4;
                    tables.Add((3, va >> 39));
                    tables.Add((2, va >> 30));
                    tables.Add((1, va >> 21));
                }
                tablesAllocated += op.TablesAllocated;
                leaves += op.PtesWritten;
                if (op.PtesWritten != pages) return false;
                iova += size + (ulong)gap * K4;
                paddr += size + (ulong)gap * K4; // iova - paddr stays 36 pages off a 2 MiB boundary
            }
            if (leaves != expected.Count || pt.Leaves != expected.Count || tablesAllocated != tables.Count || pt.Tables != tables.Count) return false;
            if (!expected.All(e => pt.Translate(e.Key + 9) == e.Value + 9)) return false;
            if (list.Count > 0 && pt.Translate(iova - (ulong)list[^1].Item2 * K4) is not null) return false; // just past the last run
            long cleared = 0;
            foreach (var va in expected.Keys) cleared += pt.Unmap(va, K4).PtesCleared;
            return cleared == expected.Count && pt.Leaves == 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_run_over_a_mapped_page_or_a_large_leaf_is_EEXIST_at_that_page()
    {
        var pt = new IoPageTable();
        pt.Map(M2 + 700 * K4, 0x10_0000_1000, K4);
        var e = Assert.Throws<InvalidOperationException>(() => pt.Map(M2 + 600 * K4, 0x20_0000_1000, 200 * K4));
        Assert.Contains($"IOVA 0x{M2 + 700 * K4:x} is already mapped", e.Message);
        pt.Map(4 * M2, 8 * M2, M2);
        Assert.Throws<InvalidOperationException>(() => pt.Map(4 * M2 + 5 * K4, 0x30_0000_1000, K4));
    }

    /// <summary>
    /// A phyr list mapped range by range as the list (4 KiB leaves kept as windows on it) and as plain addresses: the same
    /// work counted, the same translation at every page, before and after unmaps of pieces that cut windows and of a
    /// 2 MiB-aligned run's large leaves, and after new maps into the holes.
    /// </summary>
    [Fact]
    public void A_list_mapped_as_windows_matches_the_same_list_mapped_by_address()
    {
        var runs = Gen.Choose(1, 1200).Zip(Gen.Choose(1, 40)).ListOf();
        var cuts = Gen.Choose(0, 4000).Zip(Gen.Choose(1, 700)).ListOf();
        Prop.ForAll(runs.ToArbitrary(), cuts.ToArbitrary(), (shape, holes) =>
        {
            // Frames shuffled out of order, one run 2 MiB-aligned in IOVA and frame (so it takes 2 MiB leaves).
            var list = RangeList.Empty;
            ulong frame = 1 << 20;
            for (var i = 0; i < shape.Count; i++)
            {
                var (pages, gap) = shape[i];
                frame += (ulong)gap;
                if (i == shape.Count / 2) frame = (frame + 4096) & ~511UL;
                list = list.Append(new PhysRange((i % 3 == 1 ? frame + 9_000_000 : frame) << 12, (ulong)pages << 12));
                frame += (ulong)pages;
            }
            ulong iova = 0x40_0000_0000;
            var shared = new IoPageTable();
            var plain = new IoPageTable();
            ulong at = iova;
            for (var k = 0; k < list.Count; k++)
            {
                if (k == shape.Count / 2) at = (at + M2 - 1) & ~(M2 - 1);
                var a = shared.Map(at, list, k);
                if (a != plain.Map(at, list[k].Addr, list[k].Len)) return false;
                at += list[k].Len;
            }
            if (list.Count > 4 && shared.Views == 0) return false;
            bool Same()
            {
                if (shared.Leaves != plain.Leaves || shared.Tables != plain.Tables) return false;
                for (var va = iova; va < at + M2; va += K4)
                    if (shared.LeafAt(va) != plain.LeafAt(va)) return false;
                return true;
            }
            if (!Same()) return false;
            // The whole mapping unmapped at once (the windows cleared whole), in a second pair of tables mapped alike.
            var (whole, wholePlain) = (new IoPageTable(), new IoPageTable());
            ulong hole = iova, resume = iova;
            for (ulong k = 0, va = iova; k < (ulong)list.Count; va += list[(int)k].Len, k++)
            {
                if ((int)k == shape.Count / 2) (hole, va) = (va, resume = (va + M2 - 1) & ~(M2 - 1));
                whole.Map(va, list, (int)k);
                wholePlain.Map(va, list[(int)k].Addr, list[(int)k].Len);
            }
            foreach (var (from, to) in new[] { (iova, hole), (resume, at) })
                if (to > from && whole.Unmap(from, to - from) != wholePlain.Unmap(from, to - from)) return false;
            if (whole.Leaves != 0 || whole.Views != 0 || whole.Tables != wholePlain.Tables) return false;
            // Nothing is left under any 2 MiB of it: a 2 MiB leaf maps there (the counts of smaller leaves are back to 0).
            for (var va = (iova + M2 - 1) & ~(M2 - 1); va + M2 <= at; va += M2)
                if (whole.Map(va, 0x80_0000_0000 + (va - iova), M2) != wholePlain.Map(va, 0x80_0000_0000 + (va - iova), M2)) return false;
            foreach (var (page, pages) in holes)
            {
                var va = iova + (ulong)page * K4;
                var size = (ulong)pages * K4;
                if (shared.LeafAt(va) is null || shared.LeafAt(va + size - K4) is null) continue;
                bool mapped = true;
                for (var p = va; p < va + size && mapped; p += K4) mapped = shared.LeafAt(p) is not null;
                if (!mapped) continue;
                if (shared.Unmap(va, size) != plain.Unmap(va, size)) return false;
                if (!Same()) return false;
                if (shared.Map(va, 0x77_0000_1000, K4) != plain.Map(va, 0x77_0000_1000, K4)) return false;
            }
            return Same();
        }).QuickCheckThrowOnFailure();
    }
}

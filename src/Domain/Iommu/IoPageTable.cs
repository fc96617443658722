namespace Phyr.Domain.Iommu;

/// <summary>What one iommu_map / iommu_unmap did to the IO page table.</summary>
public readonly record struct IoPtOp(int MapPagesCalls, long PtesWritten, int TablesAllocated);

/// <summary>
/// An x86-style IO page table (AMD v1 / VT-d second level: four levels of 512 entries, leaves of 4 KiB,
/// 2 MiB and 1 GiB). <see cref="Map"/> cuts each range with <see cref="IommuPgsize"/> exactly as
/// __iommu_map does and writes one leaf entry per IO page, allocating the tables below the root on
/// first use; <see cref="Unmap"/> clears whole leaves (a partial unmap of a large leaf removes all of it,
/// as iommu_unmap reports). <see cref="Translate"/> is what the device sees: it is used to check that no
/// DMA reaches an unmapped IOVA.
/// </summary>
public sealed class IoPageTable(ulong pgsizeBitmap = IommuPgsize.X86Bitmap)
{
    private const int Level1Shift = 21, Level2Shift = 30, Level3Shift = 39; // what one table at each level covers
    private readonly Dictionary<ulong, (ulong Paddr, ulong Size)> _leaves = [];
    private readonly HashSet<(int Level, ulong Index)> _tables = [];
    private readonly Dictionary<ulong, int> _smallUnder2M = [];  // 4 KiB leaves per 2 MiB region
    private readonly Dictionary<ulong, int> _smallerUnder1G = []; // 4 KiB and 2 MiB leaves per 1 GiB region

    public ulong PgsizeBitmap { get; } = pgsizeBitmap;
    public long Leaves => _leaves.Count;
    public int Tables => _tables.Count;

    public IoPtOp Map(ulong iova, ulong paddr, ulong size)
    {
        var calls = IommuPgsize.Map(PgsizeBitmap, iova, paddr, size);
        long ptes = 0;
        var tables = 0;
        foreach (var call in calls)
        {
            for (ulong i = 0; i < call.Count; i++)
            {
                var va = call.Iova + i * call.PageSize;
                if (Translate(va) is not null || OverlapsSmallerLeaves(va, call.PageSize))
                    throw new InvalidOperationException($"iommu_map: IOVA 0x{va:x} is already mapped (-EEXIST)");
                _leaves[va] = (call.Paddr + i * call.PageSize, call.PageSize);
                Count(va, call.PageSize, +1);
                ptes++;
                tables += AllocateTablesFor(va, call.PageSize);
            }
        }
        return new IoPtOp(calls.Count, ptes, tables);
    }

    /// <summary>Clears every leaf in [iova, iova + size); returns the leaves cleared (and bytes unmapped, whole leaves).</summary>
    public (long PtesCleared, ulong BytesUnmapped) Unmap(ulong iova, ulong size)
    {
        long cleared = 0;
        ulong bytes = 0;
        for (var va = iova; va < iova + size;)
        {
            var leaf = LeafAt(va) ?? throw new InvalidOperationException($"iommu_unmap: IOVA 0x{va:x} is not mapped");
            _leaves.Remove(leaf.Iova);
            Count(leaf.Iova, leaf.Size, -1);
            cleared++;
            bytes += leaf.Size;
            va = leaf.Iova + leaf.Size;
        }
        return (cleared, bytes);
    }

    /// <summary>The physical address the device reaches at <paramref name="iova"/>, or null (a fault).</summary>
    public ulong? Translate(ulong iova) => LeafAt(iova) is { } l ? l.Paddr + (iova - l.Iova) : null;

    private (ulong Iova, ulong Paddr, ulong Size)? LeafAt(ulong iova)
    {
        foreach (var size in new[] { 1UL << 12, 1UL << 21, 1UL << 30 })
        {
            var key = iova & ~(size - 1);
            if (_leaves.TryGetValue(key, out var l) && l.Size == size) return (key, l.Paddr, l.Size);
        }
        return null;
    }

    /// <summary>A large leaf may not cover existing smaller ones (the caller must unmap them first).</summary>
    private bool OverlapsSmallerLeaves(ulong va, ulong pageSize) => pageSize switch
    {
        1UL << 21 => _smallUnder2M.GetValueOrDefault(va >> 21) > 0,
        1UL << 30 => _smallerUnder1G.GetValueOrDefault(va >> 30) > 0,
        _ => false,
    };

    private void Count(ulong va, ulong pageSize, int delta)
    {
        if (pageSize == 1UL << 12) _smallUnder2M[va >> 21] = _smallUnder2M.GetValueOrDefault(va >> 21) + delta;
        if (pageSize < 1UL << 30) _smallerUnder1G[va >> 30] = _smallerUnder1G.GetValueOrDefault(va >> 30) + delta;
    }

    /// <summary>Tables a leaf of <paramref name="pageSize"/> at <paramref name="va"/> needs below the root; returns those newly allocated.</summary>
    private int AllocateTablesFor(ulong va, ulong pageSize)
    {
        var added = 0;
        if (_tables.Add((3, va >> Level3Shift))) added++;                            // level-3 table (1 GiB entries)
        if (pageSize <= 1UL << 21 && _tables.Add((2, va >> Level2Shift))) added++;  // level-2 table (2 MiB entries)
        if (pageSize == 1UL << 12 && _tables.Add((1, va >> Level1Shift))) added++;  // level-1 table (4 KiB entries)
        return added;
    }
}

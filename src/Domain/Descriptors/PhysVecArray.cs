using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// <c>struct phys_vec { phys_addr_t paddr; u32 len; }</c> as <c>blk_map_iter_next()</c>
/// (block/blk-mq-dma.c) produces them from a request's bvecs: a bvec is cut to the segment limit
/// (<c>get_max_segment_size</c>: max_segment_size and the seg_boundary_mask, default 4 GiB), and when a
/// bvec was taken whole the following bvecs are merged in while physically contiguous, inside the
/// same boundary window, and within the limit.
/// </summary>
public sealed record PhysVecArray(IReadOnlyList<PhysRange> Ranges, ulong MaxSegment, ulong SegBoundaryMask) : Descriptor
{
    public const string FormatName = "phys-vec";

    /// <summary>BLK_SEG_BOUNDARY_MASK: segments may not cross a 4 GiB boundary unless a driver says otherwise.</summary>
    public const ulong DefaultSegBoundaryMask = 0xFFFFFFFF;

    public static PhysVecArray Build(IReadOnlyList<PhysRange> ranges, ulong maxSegment = Scatterlist.SgTable.DefaultMaxSegment,
        ulong segBoundaryMask = DefaultSegBoundaryMask)
    {
        if (maxSegment == 0 || maxSegment > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxSegment), maxSegment, "max_segment_size must be 1..UINT_MAX");
        return new(PhysRanges.Normalize(ranges), maxSegment, segBoundaryMask);
    }

    public override string Name => FormatName;
    public override long Entries => Vecs().LongCount();
    public override long Bytes => checked(Entries * DescriptorSizes.PhysVec);
    public override string Accounting => $"{Entries} x {DescriptorSizes.PhysVec}";
    public override IEnumerable<PhysRange> Decode() => Vecs();

    /// <summary>get_max_segment_size(lim, paddr, UINT_MAX).</summary>
    private ulong MaxSize(ulong paddr) =>
        Math.Min(uint.MaxValue, Math.Min(SegBoundaryMask - (SegBoundaryMask & paddr), MaxSegment - 1) + 1);

    private bool PhysMergeable(PhysRange a, PhysRange b) =>
        a.End == b.Addr && (a.Addr | SegBoundaryMask) == ((b.End - 1) | SegBoundaryMask);

    private IEnumerable<PhysRange> Vecs()
    {
        using var bvecs = BioVecArray.Bvecs(Ranges).GetEnumerator();
        if (!bvecs.MoveNext()) yield break;
        var cur = bvecs.Current; // the rest of the bvec the iterator is in
        var more = true;
        while (more)
        {
            var maxSize = MaxSize(cur.Addr);
            var bv = cur with { Len = Math.Min(cur.Len, maxSize) };
            if (bv.Len < cur.Len)
            {
                // Cut inside the bvec (bi_bvec_done != 0): no merging.
                cur = new PhysRange(cur.Addr + bv.Len, cur.Len - bv.Len);
                yield return bv;
                continue;
            }
            more = bvecs.MoveNext();
            while (more)
            {
                var next = bvecs.Current;
                if (bv.Len + next.Len > maxSize || !PhysMergeable(bv, next)) break;
                bv = bv with { Len = bv.Len + next.Len };
                more = bvecs.MoveNext();
            }
            yield return bv;
            if (more) cur = bvecs.Current;
        }
    }
}

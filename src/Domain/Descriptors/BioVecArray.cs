using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// Multi-page <c>struct bio_vec</c>s as <c>bio_add_page()</c> builds them, one page at a time: a page
/// joins the last bvec when it is physically contiguous with it and bv_len (u32) does not overflow
/// (bvec_try_merge_page). So one bvec per contiguous range, cut just below 4 GiB.
/// Modelled as one bio's bvec array: BIO_MAX_VECS splitting and the bio itself are not counted.
/// </summary>
public sealed record BioVecArray(IReadOnlyList<PhysRange> Ranges) : Descriptor
{
    public const string FormatName = "bio-vec";

    public static BioVecArray Build(IReadOnlyList<PhysRange> ranges) => new(PhysRanges.Normalize(ranges));

    public override string Name => FormatName;
    public override long Entries => Bvecs(Ranges).LongCount();
    public override long Bytes => checked(Entries * DescriptorSizes.BioVec);
    public override string Accounting => $"{Entries} x {DescriptorSizes.BioVec}";
    public override IEnumerable<PhysRange> Decode() => Bvecs(Ranges);

    /// <summary>The bvecs of a buffer. Page pieces are added greedily until the next would overflow u32.</summary>
    public static IEnumerable<PhysRange> Bvecs(IEnumerable<PhysRange> canonical)
    {
        foreach (var r in canonical)
        {
            var addr = r.Addr;
            var left = r.Len;
            while (left > 0)
            {
                // Whole remainder fits, or stop at the last page boundary that keeps bv_len <= UINT_MAX.
                ulong take;
                if (left <= uint.MaxValue) take = left;
                else
                {
                    var off = Page.OffsetIn(addr);
                    take = off == 0 ? uint.MaxValue & Page.Mask : (1UL << 32) - off;
                }
                yield return new PhysRange(addr, take);
                addr += take;
                left -= take;
            }
        }
    }
}

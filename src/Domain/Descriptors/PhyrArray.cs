using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// An array of <c>struct phyr { phys_addr_t addr; size_t len; }</c> as <c>get_user_phyrs()</c> would
/// return it: one entry per maximal physically contiguous byte range. size_t never overflows, so a
/// range is never cut. The array's length lives with the caller.
/// </summary>
public sealed record PhyrArray(IReadOnlyList<PhysRange> Phyrs) : Descriptor
{
    public const string FormatName = "phyr";

    public static PhyrArray Build(IReadOnlyList<PhysRange> ranges) => new(PhysRanges.Normalize(ranges));

    public override string Name => FormatName;
    public override long Entries => Phyrs.Count;
    public override long Bytes => checked(Entries * DescriptorSizes.Phyr);
    public override string Accounting => $"{Entries} x {DescriptorSizes.Phyr}";
    public override IEnumerable<PhysRange> Decode() => Phyrs;
}

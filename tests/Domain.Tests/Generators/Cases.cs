using FsCheck;
using FsCheck.Fluent;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Generators;

/// <summary>A layout to test with: frames (with contiguity, repeats and descending steps), offset, length.</summary>
public sealed record LayoutCase(FrameSize Size, ulong[] Frames, ulong Offset, ulong Length)
{
    public PhysLayout Build() => PhysLayout.FromFrameNumbers(Size, Frames, Offset, Length);

    public override string ToString() =>
        $"{Size} frames [{string.Join(",", Frames)}] offset {Offset} length {Length}";
}

/// <summary>An arbitrary list of byte ranges, not page-granular.</summary>
public sealed record RangesCase(PhysRange[] Ranges)
{
    public override string ToString() => string.Join(" ", Ranges);
}

/// <summary>A page array as the kernel's scatterlist tests use: pfns, offset into the first page, size.</summary>
public sealed record PagesCase(ulong[] Pfns, uint Offset, ulong Size, uint MaxSegment, int Batch)
{
    public override string ToString() =>
        $"pfns [{string.Join(",", Pfns)}] offset {Offset} size {Size} max_segment {MaxSegment} batch {Batch}";
}

public static class Cases
{
    private static Gen<ulong> U64(long max) => Gen.Choose(0, int.MaxValue).Select(x => (ulong)x % (ulong)(max + 1));

    private static readonly Gen<ulong[]> FrameNumbers =
        Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(
                Gen.Zip(Gen.Choose(0, 48), Gen.Frequency((6, Gen.Choose(1, 3)), (3, Gen.Choose(4, 9)), (1, Gen.Choose(10, 40)))), n))
            .Select(runs => runs.SelectMany(r => Enumerable.Range(r.Item1, r.Item2).Select(f => (ulong)f)).ToArray());

    public static Gen<LayoutCase> Layout(params FrameSize[] sizes) =>
        from size in Gen.Elements(sizes)
        from frames in FrameNumbers
        let total = (ulong)frames.Length * size.Bytes
        from offsetKind in Gen.Choose(0, 3)
        from offsetRaw in U64(long.MaxValue)
        let offset = offsetKind switch
        {
            0 => 0UL,
            1 => offsetRaw % Math.Min(total, Page.Size),
            2 => offsetRaw % Math.Min(total, size.Bytes),
            _ => offsetRaw % total,
        }
        from lengthKind in Gen.Choose(0, 3)
        from lengthRaw in U64(long.MaxValue)
        let left = total - offset
        let length = lengthKind switch
        {
            0 => left,
            1 => 1 + lengthRaw % Math.Min(left, Page.Size),
            _ => 1 + lengthRaw % left,
        }
        select new LayoutCase(size, frames, offset, length);

    public static Gen<RangesCase> Ranges =>
        Gen.Choose(1, 10).SelectMany(n => Gen.ArrayOf(
                Gen.Zip(U64(1 << 22), Gen.Frequency((3, Gen.Choose(1, 5000)), (1, Gen.Choose(4096, 70000)))), n))
            .Select(rs => new RangesCase(rs.Select(r => new PhysRange(r.Item1, (ulong)r.Item2)).ToArray()));

    public static readonly uint[] MaxSegments = [4096, 4097, 8192, 12288, 65536, 1 << 20, 0xFFFFF000];

    public static Gen<PagesCase> Pages =>
        from frames in FrameNumbers
        from offset in Gen.Choose(0, 4095)
        from tail in Gen.Choose(0, 4095)
        from maxSeg in Gen.Elements(MaxSegments)
        from batch in Gen.Elements(1, 2, 3, 5, 16, 512)
        let size = (ulong)frames.Length * Page.Size - (ulong)offset - (ulong)Math.Min(tail, 4096 - offset - 1)
        select new PagesCase(frames, (uint)offset, size, maxSeg, batch);
}

/// <summary>The arbitraries the [Property] tests draw from.</summary>
public static class Arbitraries
{
    public static Arbitrary<LayoutCase> LayoutCase() => Cases.Layout(FrameSize.Base, FrameSize.Base, FrameSize.Base, FrameSize.Pmd).ToArbitrary();
    public static Arbitrary<RangesCase> RangesCase() => Cases.Ranges.ToArbitrary();
    public static Arbitrary<PagesCase> PagesCase() => Cases.Pages.ToArbitrary();
}

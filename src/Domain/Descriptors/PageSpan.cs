using System.Collections.Immutable;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// A buffer as whole 4 KiB pages plus the byte window into them: what <c>pin_user_pages()</c> returns
/// (the page array) together with what its caller keeps (offset into the first page, length).
/// Runs are maximal runs of consecutive pfns; page-based formats are built from this.
/// </summary>
public sealed record PageSpan(ImmutableArray<FrameRun> Runs, ulong FirstOffset, ulong Length)
{
    /// <summary>The runs, merged where one continues the next, so each is a maximal run of pfns.</summary>
    public ImmutableArray<FrameRun> Runs { get; } = Merge(Runs);

    /// <summary>A page array given pfn by pfn, as a kernel caller holds it.</summary>
    public static PageSpan FromPfns(IEnumerable<ulong> pfns, ulong firstOffset, ulong length) =>
        new([.. PhysLayout.ToRuns(pfns)], firstOffset, length);

    private static ImmutableArray<FrameRun> Merge(ImmutableArray<FrameRun> runs)
    {
        var b = ImmutableArray.CreateBuilder<FrameRun>(runs.Length);
        foreach (var r in runs)
        {
            if (r.Count == 0) continue;
            if (b.Count > 0 && b[^1].End == r.Start) b[^1] = b[^1] with { Count = b[^1].Count + r.Count };
            else b.Add(r);
        }
        return b.Count == runs.Length ? runs : b.ToImmutable();
    }

    public ulong Pages => Runs.Aggregate(0UL, (n, r) => n + r.Count);

    /// <summary>The page-granular view of a buffer; throws when an interior boundary is inside a page.</summary>
    public static PageSpan FromRanges(IReadOnlyList<PhysRange> ranges, string format)
    {
        var canonical = PhysRanges.Normalize(ranges);
        if (canonical.IsEmpty) throw new UnrepresentableException(format, "the buffer is empty");
        if (!PhysRanges.IsPageGranular(canonical))
            throw new UnrepresentableException(format,
                "a range boundary inside the buffer is not 4 KiB aligned (only the first and last page may be partial)");
        var runs = canonical.Select(r =>
        {
            var first = r.Addr >> Page.Shift;
            return new FrameRun(first, (Page.AlignUp(r.End) >> Page.Shift) - first);
        });
        return new PageSpan([.. runs], Page.OffsetIn(canonical[0].Addr), PhysRanges.TotalBytes(canonical));
    }

    /// <summary>The page array itself: one pfn per page, in order.</summary>
    public IEnumerable<ulong> Pfns()
    {
        foreach (var r in Runs)
            for (ulong i = 0; i < r.Count; i++)
                yield return r.Start + i;
    }

    public ImmutableArray<PhysRange> ToRanges() =>
        PhysRanges.Slice(Runs.Select(r => new PhysRange(r.Start << Page.Shift, r.Count << Page.Shift)), FirstOffset, Length);
}

using System.Collections.Immutable;

namespace Phyr.Domain.Memory;

/// <summary>Operations on ordered lists of physical byte ranges (a buffer in virtual-address order).</summary>
public static class PhysRanges
{
    /// <summary>
    /// The canonical form of a buffer: empty ranges dropped, and a range merged into the one before
    /// it when it starts exactly where that one ends. Two descriptors describe the same bytes iff
    /// their canonical forms are equal. Order is kept: a buffer is virtually contiguous, so
    /// [8K,12K) followed by [4K,8K) is two ranges, not one.
    /// </summary>
    public static ImmutableArray<PhysRange> Normalize(IEnumerable<PhysRange> ranges)
    {
        var result = ImmutableArray.CreateBuilder<PhysRange>();
        foreach (var r in ranges)
        {
            if (r.Len == 0) continue;
            if (result.Count > 0 && result[^1].End == r.Addr)
                result[^1] = result[^1] with { Len = result[^1].Len + r.Len };
            else
                result.Add(r);
        }
        return result.ToImmutable();
    }

    public static ulong TotalBytes(IEnumerable<PhysRange> ranges)
    {
        ulong total = 0;
        foreach (var r in ranges) total = checked(total + r.Len);
        return total;
    }

    /// <summary>
    /// True when every boundary between ranges falls on a 4 KiB page boundary: only the start of the
    /// first range and the end of the last may be inside a page. Page-based descriptors (page array,
    /// pfn_batch, PRP, ...) can describe exactly these buffers.
    /// </summary>
    public static bool IsPageGranular(IReadOnlyList<PhysRange> ranges)
    {
        for (var i = 0; i < ranges.Count; i++)
        {
            if (i > 0 && !Page.IsAligned(ranges[i].Addr)) return false;
            if (i < ranges.Count - 1 && !Page.IsAligned(ranges[i].End)) return false;
        }
        return true;
    }

    public static string Describe(IReadOnlyList<PhysRange> ranges) =>
        ranges.Count <= 8
            ? string.Join(" ", ranges)
            : string.Join(" ", ranges.Take(4)) + $" ... ({ranges.Count} ranges)";

    /// <summary>
    /// The bytes [offset, offset + length) of the buffer made of <paramref name="whole"/> laid end to
    /// end, in canonical form.
    /// </summary>
    public static ImmutableArray<PhysRange> Slice(IEnumerable<PhysRange> whole, ulong offset, ulong length)
    {
        var result = new List<PhysRange>();
        ulong pos = 0, end = offset + length;
        foreach (var r in whole)
        {
            var from = Math.Max(pos, offset);
            var to = Math.Min(pos + r.Len, end);
            if (from < to) result.Add(new PhysRange(r.Addr + (from - pos), to - from));
            pos += r.Len;
            if (pos >= end) break;
        }
        return Normalize(result);
    }
}

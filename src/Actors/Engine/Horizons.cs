namespace Phyr.Actors.Engine;

/// <summary>
/// The conservative bound of a round. Given every partition's earliest pending event next[q], partition
/// p may handle everything before
/// <c>min(min over q != p of next[q] + L, next[p] + 2L)</c>: no other partition can send it anything
/// earlier — neither from its own events, nor in answer to one of p's, which arrive at next[p] + L at
/// the earliest. Alone, a partition runs to the end. Empty stretches of virtual time are skipped
/// because the bound follows the next events, not a fixed clock.
/// </summary>
internal static class Horizons
{
    public static long For(int p, long[] next, long lookahead, long endTime)
    {
        if (next.Length == 1) return endTime;
        var othersMin = long.MaxValue;
        for (var q = 0; q < next.Length; q++)
            if (q != p && next[q] < othersMin) othersMin = next[q];
        return Math.Min(Bound(othersMin, lookahead, endTime), Bound(next[p], 2 * lookahead, endTime));
    }

    public static long Min(long[] next)
    {
        var min = long.MaxValue;
        foreach (var t in next) min = Math.Min(min, t);
        return min;
    }

    /// <summary>t + d, or the end time when that would pass it (or overflow).</summary>
    private static long Bound(long t, long d, long endTime) => t >= endTime - d ? endTime : t + d;
}

using Phyr.Domain.Memory;

namespace Phyr.Domain.Mm;

/// <summary>
/// Where faults get physical frames: per frame size, a sequence of frame runs consumed in order (as an
/// allocator hands frames to a process faulting its pages in address order) — from a pfn file, inline
/// runs or the fragmentation model — then, once those are used up, contiguous frames from 1 TiB up.
/// </summary>
public sealed class FrameSource
{
    private sealed class Cursor(IReadOnlyList<FrameRun> runs, FrameRunList? owned)
    {
        public readonly IReadOnlyList<FrameRun> Runs = runs;
        public readonly FrameRunList? Owned = owned; // runs this source may let go of once used
        public int Index;
        public ulong Used;
    }

    private readonly Dictionary<int, Cursor> _cursors = [];
    private readonly Dictionary<int, ulong> _bumpNext = [];

    /// <summary>Frames of <paramref name="size"/> to hand out first, in order.</summary>
    public FrameSource With(FrameSize size, IEnumerable<FrameRun> runs)
    {
        // A list without empty runs is used as it is (a terabyte's layout is not copied).
        _cursors[size.Shift] = new Cursor(runs is IReadOnlyList<FrameRun> list && list.All(r => r.Count > 0) ? list : runs.Where(r => r.Count > 0).ToList(), null);
        return this;
    }

    /// <summary>
    /// Frames of <paramref name="size"/> to hand out first, from a layout handed over to this source: each chunk of runs is
    /// let go once its frames are all handed out (a region faulted in no longer holds its layout).
    /// </summary>
    public FrameSource Consuming(FrameSize size, FrameRunList runs)
    {
        // By index, not through the list's enumerator: a terabyte's layout is 134 M runs, checked once at start-up.
        for (var i = 0; i < runs.Count; i++)
            if (runs[i].Count == 0) throw new ArgumentException("a layout handed over has no empty runs", nameof(runs));
        _cursors[size.Shift] = new Cursor(runs, runs);
        return this;
    }

    /// <summary>
    /// The next frames of <paramref name="size"/> in the order they are handed out, as many as follow on from one another
    /// up to <paramref name="max"/>: the first and how many (a fault takes one, <see cref="AddressSpace.Populate"/> a run).
    /// </summary>
    public (ulong First, ulong Count) NextRun(FrameSize size, ulong max)
    {
        if (max == 0) return (0, 0);
        if (_cursors.TryGetValue(size.Shift, out var c))
        {
            while (c.Index < c.Runs.Count)
            {
                var run = c.Runs[c.Index];
                if (c.Used < run.Count)
                {
                    var n = Math.Min(max, run.Count - c.Used);
                    var first = run.Start + c.Used;
                    c.Used += n;
                    return (first, n);
                }
                c.Index++;
                c.Used = 0;
                if ((c.Index & (FrameRunList.ChunkRuns - 1)) == 0) c.Owned?.ReleaseBefore(c.Index);
            }
        }
        var next = _bumpNext.TryGetValue(size.Shift, out var b) ? b : (1UL << 40) >> size.Shift;
        _bumpNext[size.Shift] = next + max;
        return (next, max);
    }

    /// <summary>The next frame number of <paramref name="size"/> (in units of that size).</summary>
    public ulong Next(FrameSize size) => NextRun(size, 1).First;
}

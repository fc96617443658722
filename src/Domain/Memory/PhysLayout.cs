using System.Collections.Immutable;

namespace Phyr.Domain.Memory;

/// <summary>
/// A user buffer as physical memory sees it: the frames backing a virtually contiguous mapping,
/// in virtual-address order, and the byte window [Offset, Offset + Length) of it that the buffer
/// covers. This is what a /proc/&lt;pid&gt;/pagemap dump of a mapping gives.
/// </summary>
public sealed record PhysLayout
{
    private PhysLayout(FrameSize frameSize, ImmutableArray<FrameRun> frames, ulong offset, ulong length,
        ImmutableArray<PhysRange> ranges)
    {
        FrameSize = frameSize;
        Frames = frames;
        Offset = offset;
        Length = length;
        Ranges = ranges;
    }

    public FrameSize FrameSize { get; }

    /// <summary>The frames in virtual-address order, as given (runs need not be maximal).</summary>
    public ImmutableArray<FrameRun> Frames { get; }

    public ulong Offset { get; }
    public ulong Length { get; }

    /// <summary>The buffer's bytes as maximal physically contiguous ranges (canonical form).</summary>
    public ImmutableArray<PhysRange> Ranges { get; }

    public ulong FrameCount => Frames.Aggregate(0UL, (n, r) => n + r.Count);
    public ulong FramesBytes => FrameCount << FrameSize.Shift;

    /// <summary>
    /// Builds and validates a layout. <paramref name="length"/> defaults to every byte of the frames
    /// after <paramref name="offset"/>. Throws <see cref="LayoutException"/> naming the bad field.
    /// </summary>
    public static PhysLayout Create(FrameSize frameSize, IEnumerable<FrameRun> frames, ulong offset = 0,
        ulong? length = null)
    {
        var runs = frames.Where(r => r.Count > 0).ToImmutableArray();
        if (runs.IsEmpty)
            throw new LayoutException("frames", "the layout is empty: give at least one frame");

        var frameLimit = Page.PhysAddrLimit >> frameSize.Shift;
        ulong total = 0;
        foreach (var run in runs)
        {
            if (run.Start >= frameLimit || run.Count > frameLimit - run.Start)
                throw new LayoutException("frames",
                    $"frame {Math.Max(run.Start, frameLimit)} of {frameSize} is beyond the {Page.PhysAddrBits}-bit physical address space " +
                    $"(frame numbers of {frameSize} must be below {frameLimit})");
            total += run.Count << frameSize.Shift;
            if (total > Page.PhysAddrLimit)
                throw new LayoutException("frames",
                    $"the frames add up to more than 2^{Page.PhysAddrBits} bytes");
        }

        if (offset >= total)
            throw new LayoutException("offset", $"{offset} is not inside the layout ({total} bytes)");
        var len = length ?? total - offset;
        if (len == 0)
            throw new LayoutException("length", "must be at least 1 byte");
        if (len > total - offset)
            throw new LayoutException("length",
                $"{len} bytes from offset {offset} goes past the end of the layout ({total} bytes)");

        return new PhysLayout(frameSize, runs, offset, len, Slice(frameSize, runs, offset, len));
    }

    public static PhysLayout FromFrameNumbers(FrameSize frameSize, IEnumerable<ulong> frames, ulong offset = 0,
        ulong? length = null) => Create(frameSize, ToRuns(frames), offset, length);

    /// <summary>Groups frame numbers into runs of consecutive ascending numbers.</summary>
    public static IEnumerable<FrameRun> ToRuns(IEnumerable<ulong> frames)
    {
        FrameRun? current = null;
        foreach (var f in frames)
        {
            if (current is { } c && c.End == f)
            {
                current = c with { Count = c.Count + 1 };
                continue;
            }
            if (current is { } done) yield return done;
            current = new FrameRun(f, 1);
        }
        if (current is { } last) yield return last;
    }

    private static ImmutableArray<PhysRange> Slice(FrameSize size, ImmutableArray<FrameRun> runs, ulong offset,
        ulong length) =>
        PhysRanges.Slice(runs.Select(r => new PhysRange(r.Start << size.Shift, r.Count << size.Shift)), offset, length);
}

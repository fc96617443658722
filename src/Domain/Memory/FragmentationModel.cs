using Phyr.Domain.Randomness;

namespace Phyr.Domain.Memory;

/// <summary>
/// A seeded model of how fragmented the frames behind a mapping are.
/// <para>
/// Run lengths are geometric: after each frame the run breaks with probability
/// <see cref="Fragmentation"/> (0 = one contiguous run, 1 = no two frames contiguous; the mean run
/// is 1/fragmentation frames). Each run is placed like a buddy allocation: naturally aligned to the
/// largest power of two not above its length, with a free gap of at least one frame before it so no
/// two runs touch. The runs are then shuffled into virtual-address order. Real pagemap dumps look
/// like this: <c>pagemap-anon-64m-seq.pfn</c> is aligned runs of 2, 4 and 8 frames (mean 2.9,
/// about fragmentation 0.35); <c>pagemap-anon-8m-random.pfn</c> is fragmentation 1.
/// </para>
/// </summary>
public sealed record FragmentationModel(double Fragmentation, ulong Seed, ulong MaxGapFrames = 64)
{
    public FrameRunList Generate(ulong frames)
    {
        if (frames == 0)
            throw new LayoutException("frames", "must be at least 1");
        if (double.IsNaN(Fragmentation) || Fragmentation < 0 || Fragmentation > 1)
            throw new LayoutException("fragmentation", $"{Fragmentation} is not between 0 and 1");
        if (MaxGapFrames == 0)
            throw new LayoutException("max_gap", "must be at least 1 frame");

        var rng = DeterministicRandom.For(Seed, "fragmentation-model");
        // The lengths first, then the gaps (the draws' order is the layout's): the lengths are held in the runs themselves,
        // in chunks (FrameRunList), so a terabyte's layout is built in place and can be let go as faults use it.
        var runs = new FrameRunList(ExpectedRuns(frames));
        var logStay = Math.Log(1.0 - Fragmentation); // log(1 - p) of the geometric distribution, once
        for (ulong left = frames; left > 0;)
        {
            var len = RunLength(rng, left, logStay);
            runs.Add(new FrameRun(0, len));
            left -= len;
        }

        var cursor = rng.NextUInt64(1UL << 20);
        for (var i = 0; i < runs.Count; i++)
        {
            var len = runs[i].Count;
            var align = 1UL << (63 - (int)ulong.LeadingZeroCount(len));
            var start = cursor + 1 + rng.NextUInt64(MaxGapFrames);
            start = (start + align - 1) & ~(align - 1); // align is a power of two: no division
            runs[i] = new FrameRun(start, len);
            cursor = start + len;
        }
        runs.Shuffle(rng);
        return runs;
    }

    /// <summary>Room for the runs <paramref name="frames"/> frames come in: F a frame, with a margin of a few percent.</summary>
    private int ExpectedRuns(ulong frames)
    {
        if (Fragmentation <= 0) return 1;
        var expected = (double)frames * Fragmentation * 1.02 + 1024;
        return (int)Math.Min(Math.Min(frames, (ulong)expected), (ulong)Array.MaxLength);
    }

    private ulong RunLength(DeterministicRandom rng, ulong max, double logStay)
    {
        if (Fragmentation <= 0) return max;
        if (Fragmentation >= 1) return 1;
        // Inverse CDF of the geometric distribution on {1, 2, ...} with success probability p.
        var u = 1.0 - rng.NextDouble(); // (0, 1]
        var len = 1.0 + Math.Floor(Math.Log(u) / logStay);
        return len >= max ? max : (ulong)len;
    }
}

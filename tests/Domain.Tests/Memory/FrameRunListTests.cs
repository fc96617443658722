using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Randomness;

namespace Phyr.Domain.Tests.Memory;

public class FrameRunListTests
{
    private static FrameRun Run(int i) => new((ulong)i * 10, (ulong)(i % 7) + 1);

    /// <summary>Across chunk boundaries it reads, replaces and shuffles exactly as a List does (the same draws, the same permutation).</summary>
    [Fact]
    public void Holds_and_shuffles_like_a_list()
    {
        const int n = 3 * FrameRunList.ChunkRuns + 17;
        var chunked = new FrameRunList(10);
        var list = new List<FrameRun>();
        for (var i = 0; i < n; i++)
        {
            chunked.Add(Run(i));
            list.Add(Run(i));
        }
        chunked[FrameRunList.ChunkRuns] = list[FrameRunList.ChunkRuns] = new FrameRun(5, 5);
        var own = new FrameRunList();
        foreach (var r in chunked) own.Add(r);
        DeterministicRandom.For(7, "shuffle").Shuffle(chunked);
        DeterministicRandom.For(7, "shuffle").Shuffle(list);
        Assert.Equal(n, chunked.Count);
        Assert.Equal(list, chunked);
        // Its own shuffle (the swaps' runs prefetched ahead) is the same permutation, and leaves the generator where it was.
        var rng = DeterministicRandom.For(7, "shuffle");
        own.Shuffle(rng);
        Assert.Equal(list, own);
        var after = DeterministicRandom.For(7, "shuffle");
        after.Shuffle(new List<FrameRun>(list));
        Assert.Equal(after.NextUInt64(), rng.NextUInt64());
        var tiny = new FrameRunList();
        tiny.Add(Run(1));
        tiny.Shuffle(rng);
        Assert.Equal([Run(1)], tiny);
        Assert.Equal(list.IndexOf(new FrameRun(5, 5)), chunked.IndexOf(new FrameRun(5, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => chunked[n]);
    }

    [Fact]
    public void Released_chunks_are_gone_and_the_rest_stays()
    {
        var runs = new FrameRunList();
        for (var i = 0; i < 2 * FrameRunList.ChunkRuns + 5; i++) runs.Add(Run(i));
        runs.ReleaseBefore(FrameRunList.ChunkRuns + 3); // only whole chunks go
        Assert.Equal(FrameRunList.ChunkRuns, runs.FirstHeld);
        Assert.Throws<InvalidOperationException>(() => runs[FrameRunList.ChunkRuns - 1]);
        Assert.Equal(Run(FrameRunList.ChunkRuns), runs[FrameRunList.ChunkRuns]);
        Assert.Equal(2 * FrameRunList.ChunkRuns + 5, runs.Count);
        Assert.Throws<InvalidOperationException>(() => runs.ToList()); // nothing reads a layout let go of as if it were whole
        Assert.Throws<NotSupportedException>(() => runs.Insert(0, Run(0)));
    }

    /// <summary>A source consuming a layout hands out the frames a source reading it would, and lets go of each chunk it used up.</summary>
    [Fact]
    public void A_consuming_frame_source_hands_out_the_same_frames_and_lets_the_used_runs_go()
    {
        var layout = new FragmentationModel(0.5, 3).Generate(4 * FrameRunList.ChunkRuns);
        var copy = layout.ToList();
        var consuming = new FrameSource().Consuming(FrameSize.Base, layout);
        var reading = new FrameSource().With(FrameSize.Base, copy);
        var frames = copy.Sum(r => (long)r.Count);
        for (long i = 0; i < frames; i++) Assert.Equal(reading.Next(FrameSize.Base), consuming.Next(FrameSize.Base));
        Assert.Equal(copy.Count / FrameRunList.ChunkRuns * FrameRunList.ChunkRuns, layout.FirstHeld);
        Assert.Equal(reading.Next(FrameSize.Base), consuming.Next(FrameSize.Base)); // then the same frames beyond the layout
        Assert.Throws<ArgumentException>(() => new FrameSource().Consuming(FrameSize.Base, new FrameRunList { new FrameRun(1, 0) }));
    }
}

using Phyr.Domain.Memory;
using Phyr.Domain.Randomness;

namespace Phyr.Domain.Tests.Randomness;

public class DeterministicRandomTests
{
    [Fact]
    public void SplitMix64_matches_the_reference_sequence()
    {
        // Reference: splitmix64.c (Vigna) from state 0.
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, SplitMix64.Next(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, SplitMix64.Next(ref state));
    }

    [Fact]
    public void Same_seed_same_sequence_and_names_give_independent_streams()
    {
        var a = DeterministicRandom.For(42, "cpu0");
        var b = DeterministicRandom.For(42, "cpu0");
        var c = DeterministicRandom.For(42, "cpu1");
        var sa = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToList();
        Assert.Equal(sa, Enumerable.Range(0, 100).Select(_ => b.NextUInt64()));
        Assert.NotEqual(sa, Enumerable.Range(0, 100).Select(_ => c.NextUInt64()));
    }

    [Fact]
    public void Bounded_draws_stay_in_range_and_cover_it()
    {
        var r = new DeterministicRandom(7);
        var seen = new int[10];
        for (var i = 0; i < 10_000; i++) seen[r.NextUInt64(10)]++;
        Assert.All(seen, n => Assert.InRange(n, 850, 1150));
        Assert.All(Enumerable.Range(0, 1000).Select(_ => r.NextDouble()), d => Assert.InRange(d, 0.0, 0.9999999999));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.35)]
    [InlineData(1.0)]
    public void Fragmentation_model_gives_distinct_frames_with_the_asked_run_length(double f)
    {
        const ulong n = 20_000;
        var runs = new FragmentationModel(f, Seed: 3).Generate(n);
        Assert.Equal(n, runs.Aggregate(0UL, (s, r) => s + r.Count));
        // Frames never repeat and runs never touch: the runs are exactly the layout's maximal runs.
        var frames = runs.SelectMany(r => Enumerable.Range(0, (int)r.Count).Select(i => r.Start + (ulong)i)).ToList();
        Assert.Equal(frames.Count, frames.Distinct().Count());
        var layout = PhysLayout.Create(FrameSize.Base, runs);
        Assert.Equal(runs.Count, layout.Ranges.Length);
        var meanRun = (double)n / runs.Count;
        if (f == 0) Assert.Single(runs);
        else Assert.InRange(meanRun, 0.9 / f, 1.1 / f);
        Assert.All(runs, r => Assert.Equal(0UL, r.Start % (1UL << (63 - (int)ulong.LeadingZeroCount(r.Count)))));
    }

    [Fact]
    public void Fragmentation_model_is_deterministic_per_seed()
    {
        Assert.Equal(new FragmentationModel(0.35, 9).Generate(5000), new FragmentationModel(0.35, 9).Generate(5000));
        Assert.NotEqual(new FragmentationModel(0.35, 9).Generate(5000), new FragmentationModel(0.35, 10).Generate(5000));
    }
}

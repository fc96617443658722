using Phyr.Actors.Engine;
using Phyr.Actors.Workloads;
using Phyr.Domain.Simulation;

namespace Phyr.Actors.Tests;

public class EngineTests : EngineTestKit
{
    private static Simulation Contention(int partitions, ulong seed = 7, int iterations = 100)
    {
        var sim = new Simulation(new SimulationOptions { Partitions = partitions, Seed = seed });
        LockContention.Build(sim, new LockContention.Config(Cpus: 64, Locks: 16, Iterations: iterations), Interconnect.Default);
        return sim;
    }

    [Fact]
    public void Same_digest_and_metrics_for_any_partition_and_thread_count()
    {
        var reference = Contention(1).RunSequential();
        Assert.Equal(64 * (1 + 100 * 3), reference.Events); // a start, then Acquire, Granted, Release per iteration
        Assert.Equal(64 * 100, reference.Resources.Sum(r => r.Acquisitions));

        foreach (var (partitions, dispatcher) in new[] { (1, OneThread), (2, OneThread), (2, TwoThreads), (4, TwoThreads), (7, FourThreads), (16, FourThreads) })
        {
            var r = RunOn(Contention(partitions), dispatcher);
            Assert.Equal(reference.Digest, r.Digest);
            Assert.Equal(reference.EndTime, r.EndTime);
            Assert.Equal(reference.Events, r.Events);
            Assert.Equal(reference.Resources, r.Resources);
            Assert.Equal(partitions, r.Execution.Partitions);
        }
    }

    [Fact]
    public void Twenty_repeated_runs_give_the_same_digest()
    {
        var digests = Enumerable.Range(0, 20).Select(_ => RunOn(Contention(4, iterations: 30), TwoThreads).Digest).ToHashSet();
        Assert.Single(digests);
    }

    [Fact]
    public void Another_seed_gives_another_run()
    {
        Assert.NotEqual(Contention(1, seed: 1).RunSequential().Digest, Contention(1, seed: 2).RunSequential().Digest);
    }

    [Fact]
    public void Empty_stretches_of_virtual_time_are_skipped()
    {
        // One event at 0 and the next a virtual day later: a handful of rounds, not 3.5e12 windows.
        var sim = new Simulation(new SimulationOptions { Partitions = 2 });
        var a = sim.Add(new Sender("a", 1, 86_400_000_000_000));
        var b = sim.Add(new Sender("b", 0, 25));
        sim.Inject(a, new Sender.Go());
        var r = RunOn(sim, TwoThreads);
        // b answers a's ping, a answers b's once: day, day + 25, day + 50.
        Assert.Equal([86_400_000_000_000L, 86_400_000_000_050L], b.Received);
        Assert.Equal([86_400_000_000_025L], a.Received);
        Assert.InRange(r.Execution.Rounds, 1, 4);
    }

    [Fact]
    public void A_send_below_the_lookahead_is_rejected_loudly()
    {
        var sim = new Simulation(new SimulationOptions { Partitions = 2 });
        var a = sim.Add(new Sender("a", 1, 0));
        sim.Add(new Sender("b", 0, 25));
        sim.Inject(a, new Sender.Go());
        var e = Assert.Throws<SimulationFailedException>(() => RunOn(sim, TwoThreads));
        var inner = Assert.IsType<CausalityException>(e.InnerException);
        Assert.Contains("below the lookahead of 25 ns", inner.Message);
    }

    [Fact]
    public void A_timer_in_the_past_is_rejected_loudly()
    {
        var sim = new Simulation(new SimulationOptions());
        var a = sim.Add(new Sender("a", 0, -5));
        sim.Inject(a, new Sender.Go());
        var e = Assert.Throws<SimulationFailedException>(() => sim.RunSequential());
        Assert.Contains("in the past", e.InnerException!.Message);
    }

    [Fact]
    public void A_message_stamped_before_what_a_partition_handled_is_rejected()
    {
        var components = new SimComponent[] { new Sender("a", 0, 25) };
        components[0].Id = 0;
        var partition = new Partition(0, 1, 25, components, [0]);
        partition.RunUntil(1000);
        var e = Assert.Throws<CausalityException>(() =>
            partition.Accept(new SimEvent(new EventKey(999, 5, 0), 0, new Sender.Ping())));
        Assert.Contains("stamped 999 ns", e.Message);
        Assert.Contains("before 1000 ns", e.Message);
    }

    [Fact]
    public void A_component_is_never_handed_a_message_before_its_clock()
    {
        var components = new SimComponent[] { new Sender("a", 0, 25) };
        components[0].Id = 0;
        components[0].Clock = 500;
        var partition = new Partition(0, 1, 25, components, [0]);
        partition.Accept(new SimEvent(new EventKey(100, -1, 0), 0, new Sender.Ping()));
        var e = Assert.Throws<CausalityException>(() => partition.RunUntil(1000));
        Assert.Contains("a at 500 ns was handed Ping stamped 100 ns", e.Message);
    }

    [Fact]
    public void Windows_follow_the_lookahead_when_partitions_interact()
    {
        var r = RunOn(Contention(2, iterations: 20), TwoThreads);
        Assert.True(r.Execution.Rounds > 1);
        Assert.True(r.Execution.CrossPartitionEvents > 0);
        Assert.Equal(2 * r.Execution.Rounds, r.Execution.Messages); // one report each way per round
    }
}

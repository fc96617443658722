using System.Diagnostics;
using Akka.Actor;
using Phyr.Actors.Engine;
using Phyr.Actors.Resources;
using Phyr.Actors.Workloads;
using Phyr.Domain.Simulation;
using Phyr.Host.Cli;

namespace Phyr.Host.Bench;

/// <summary>
/// `phyr bench engine`: the lock-contention pattern through the engine and through bare Akka.NET, on
/// actor systems with a dedicated pool of a given number of threads; plus the engine at one thread
/// (for scaling) and the cost of idle components. Wall-clock time is measured here and only here.
/// </summary>
public static class EngineBenchmark
{
    public sealed record Options(int Cpus, int Locks, int Iterations, int Threads, int Partitions, int Repeats, int IdleComponents);

    public sealed record Result(
        double EngineEventsPerS, double RawAkkaMsgsPerS, double Ratio, int Threads, int Partitions,
        double EngineEventsPerS1Thread, double Speedup, double EngineEventsPerSSequential, long Events, long RawMessages, ulong Digest, long Rounds,
        long Messages, double IdleComponentBytes, double StartIdleComponentsS, int IdleComponents,
        LockContention.Config Workload);

    public static Result Run(Options o, Action<string> progress)
    {
        var config = new LockContention.Config(o.Cpus, o.Locks, o.Iterations);
        using var system = SimulationSystem.Create("phyr-bench", 1, o.Threads);

        // Warm-up runs of the full size, so that every figure is measured on tiered-up (optimized) code.
        progress("warming up");
        RunEngine(system, Dispatcher(o.Threads), config, o.Partitions);
        RunEngine(system, Dispatcher(1), config, o.Partitions);
        RunEngine(system, Dispatcher(o.Threads), config, 1);
        RawLockContention.RunAsync(system, Dispatcher(o.Threads), config, 1).GetAwaiter().GetResult();

        double engineBest = 0, engine1Best = 0, sequentialBest = 0, rawBest = 0;
        SimulationResult? last = null;
        for (var r = 0; r < o.Repeats; r++)
        {
            progress($"repeat {r + 1}/{o.Repeats}: engine on {o.Threads} thread(s)");
            var (res, s) = RunEngine(system, Dispatcher(o.Threads), config, o.Partitions);
            if (last is not null && last.Digest != res.Digest)
                throw new InvalidOperationException("the engine gave two digests for one configuration: determinism is broken");
            last = res;
            engineBest = Math.Max(engineBest, res.Events / s);

            progress($"repeat {r + 1}/{o.Repeats}: engine on 1 thread");
            var (res1, s1) = RunEngine(system, Dispatcher(1), config, o.Partitions);
            if (res1.Digest != res.Digest) throw new InvalidOperationException("1-thread and multi-thread digests differ");
            engine1Best = Math.Max(engine1Best, res1.Events / s1);

            progress($"repeat {r + 1}/{o.Repeats}: engine with one partition (no synchronisation)");
            var (resSeq, sSeq) = RunEngine(system, Dispatcher(o.Threads), config, 1);
            if (resSeq.Digest != res.Digest) throw new InvalidOperationException("1-partition and multi-partition digests differ");
            sequentialBest = Math.Max(sequentialBest, resSeq.Events / sSeq);

            progress($"repeat {r + 1}/{o.Repeats}: raw Akka.NET on {o.Threads} thread(s)");
            var sw = Stopwatch.StartNew();
            var msgs = RawLockContention.RunAsync(system, Dispatcher(o.Threads), config, 1).GetAwaiter().GetResult();
            rawBest = Math.Max(rawBest, msgs / sw.Elapsed.TotalSeconds);
        }

        progress($"idle components: {o.IdleComponents}");
        var (bytes, startS) = IdleComponents(system, Dispatcher(o.Threads), o.IdleComponents);

        return new Result(engineBest, rawBest, engineBest / rawBest, o.Threads, o.Partitions, engine1Best,
            engineBest / engine1Best, sequentialBest, last!.Events, 3L * o.Cpus * o.Iterations, last.Digest, last.Execution.Rounds,
            last.Execution.Messages, bytes, startS, o.IdleComponents, config);
    }

    private static (SimulationResult Result, double Seconds) RunEngine(ActorSystem system, string dispatcher,
        LockContention.Config config, int partitions)
    {
        var sim = new Simulation(new SimulationOptions { Partitions = partitions, Seed = 1 });
        LockContention.Build(sim, config, Interconnect.Default);
        var sw = Stopwatch.StartNew();
        var result = sim.Run(system, dispatcher);
        return (result, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Bytes per idle component (spinlocks: the commonest resource) and seconds to start that many.</summary>
    private static (double Bytes, double StartSeconds) IdleComponents(ActorSystem system, string dispatcher, int count)
    {
        var costs = Interconnect.Default;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var sw = Stopwatch.StartNew();
        var sim = new Simulation(new SimulationOptions { Partitions = 2 });
        for (var i = 0; i < count; i++) sim.Add(new Spinlock($"ptl{i}", costs));
        var after = GC.GetTotalMemory(true);
        sim.Run(system, dispatcher); // no events: partitions start, the coordinator finds nothing to do
        var seconds = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(sim);
        return ((double)(after - before) / count, seconds);
    }

    private static string Dispatcher(int threads) => SimulationSystem.Dispatcher(threads);
}

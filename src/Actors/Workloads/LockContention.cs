using Phyr.Actors.Engine;
using Phyr.Actors.Resources;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Workloads;

/// <summary>
/// The engine's contention microbenchmark: CPUs that repeatedly think, take one of the locks (chosen
/// by their own seeded random source), hold it, and release it. Three messages per acquisition
/// (Acquire, Granted, Release), the same pattern as the raw Akka.NET benchmark.
/// </summary>
public static class LockContention
{
    public sealed record Config(int Cpus = 64, int Locks = 16, int Iterations = 1000, long HoldNs = 200, long MaxThinkNs = 400);

    /// <summary>Adds the locks and CPUs to <paramref name="sim"/> and injects each CPU's start at time 0.</summary>
    public static IReadOnlyList<Cpu> Build(Simulation sim, Config config, Interconnect net)
    {
        if (config.Cpus < 1 || config.Locks < 1 || config.Iterations < 1)
            throw new ArgumentException("cpus, locks and iterations must be at least 1");
        var locks = Enumerable.Range(0, config.Locks).Select(i => sim.Add(new Spinlock($"lock{i}", net)).Id).ToArray();
        var cpus = Enumerable.Range(0, config.Cpus)
            .Select(i => sim.Add(new Cpu($"cpu{i}", i, locks, config.Iterations, config.HoldNs, config.MaxThinkNs)))
            .ToList();
        foreach (var c in cpus) sim.Inject(c, Cpu.Start.Instance);
        return cpus;
    }

    /// <summary>One simulated CPU of the benchmark.</summary>
    public sealed class Cpu(string name, int cpu, int[] locks, int iterations, long holdNs, long maxThinkNs) : SimComponent(name)
    {
        public sealed record Start
        {
            public static readonly Start Instance = new();
        }

        private static readonly SpinlockProtocol.Release ReleaseMessage = SpinlockProtocol.Release.Instance;
        private readonly SpinlockProtocol.Acquire _acquire = new(cpu);
        private readonly int _iterations = iterations;
        private int _left = iterations;
        private int _held = -1;

        public int Acquisitions => _iterations - _left;

        protected internal override void OnMessage(SimContext ctx, object message)
        {
            switch (message)
            {
                case Start:
                    AcquireNext(ctx, Think() + ctx.Lookahead);
                    break;
                case SpinlockProtocol.Granted:
                    ctx.Send(_held, ReleaseMessage, holdNs + ctx.Lookahead);
                    if (_left > 0) AcquireNext(ctx, holdNs + Think() + ctx.Lookahead);
                    break;
                default:
                    throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
            }
        }

        private long Think() => maxThinkNs == 0 ? 0 : (long)Random.NextUInt64((ulong)maxThinkNs + 1);

        private void AcquireNext(SimContext ctx, long latency)
        {
            _left--;
            _held = locks[Random.NextUInt64((ulong)locks.Length)];
            ctx.Send(_held, _acquire, latency);
        }
    }
}

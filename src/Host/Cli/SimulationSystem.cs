using Akka.Actor;
using Akka.Configuration;

namespace Phyr.Host.Cli;

/// <summary>An actor system for simulation runs, with a dedicated-thread dispatcher per thread count asked for.</summary>
public static class SimulationSystem
{
    public static string Dispatcher(int threads) => $"phyr-sim-{threads}";

    public static ActorSystem Create(string name, params int[] threadCounts)
    {
        var dispatchers = string.Join("\n", threadCounts.Distinct().Select(t => $$"""
            {{Dispatcher(t)}} {
              type = ForkJoinDispatcher
              throughput = 100
              dedicated-thread-pool { thread-count = {{t}}, threadtype = background }
            }
            """));
        return ActorSystem.Create(name, ConfigurationFactory.ParseString($"""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.log-dead-letters = off
            {dispatchers}
            """));
    }
}

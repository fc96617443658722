using Akka.Configuration;
using Phyr.Actors.Engine;

namespace Phyr.Actors.Tests;

/// <summary>A TestKit whose actor system has dispatchers of 1, 2 and 4 dedicated threads.</summary>
public abstract class EngineTestKit() : Akka.TestKit.Xunit2.TestKit(Config)
{
    public const string OneThread = "sim-1-thread";
    public const string TwoThreads = "sim-2-threads";
    public const string FourThreads = "sim-4-threads";

    private static readonly Config Config = ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        {{Dispatcher(OneThread, 1)}}
        {{Dispatcher(TwoThreads, 2)}}
        {{Dispatcher(FourThreads, 4)}}
        """);

    private static string Dispatcher(string name, int threads) => $$"""
        {{name}} {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = {{threads}}, threadtype = background }
        }
        """;

    protected SimulationResult RunOn(Simulation sim, string? dispatcher = null) =>
        sim.RunAsync(Sys, dispatcher).WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
}

using Akka.Hosting;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Service.Hosting;

/// <summary>Where experiment points run: a dispatcher of their own, a thread per point that may run at once (Parallelism).</summary>
public static class SimulationSetup
{
    public static AkkaConfigurationBuilder WithSimulationDispatcher(this AkkaConfigurationBuilder akka, ServiceOptions options) => akka.AddHocon($$"""
        akka.actor.serialize-messages = off
        {{ExperimentEntity.Dispatcher}} {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = {{options.Parallelism}}, threadtype = background }
        }
        """, HoconAddMode.Prepend);
}

using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Pattern;
using Microsoft.Extensions.DependencyInjection;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Service.Hosting;

/// <summary>
/// The experiment registry: alone, an actor of this node; in a cluster, one for the whole cluster — a singleton on the
/// oldest worker node, reached through a proxy from every node (when its node leaves, the next oldest starts it and it
/// recovers from the shared journal). Under a backoff supervisor either way.
/// </summary>
public static class RegistrySetup
{
    public static AkkaConfigurationBuilder WithPhyrRegistry(this AkkaConfigurationBuilder akka, ServiceOptions options)
    {
        if (!options.Clustered)
            return akka.WithActors((system, registry, resolver) =>
                registry.Register<ExperimentRegistry>(system.ActorOf(Props(options, resolver.GetService<ExperimentCatalog>()), "registry")));
        var singleton = new ClusterSingletonOptions { Role = "worker" };
        return options.Roles.Contains("worker")
            ? akka.WithSingleton<ExperimentRegistry>("registry", (_, _, resolver) => Props(options, resolver.GetService<ExperimentCatalog>()), singleton,
                createProxyToo: true)
            : akka.WithSingletonProxy<ExperimentRegistry>("registry", singleton);
    }

    /// <summary>
    /// The registry under a backoff supervisor: a journal error stops a persistent actor, and the supervisor starts it
    /// again (1 s, then up to 30 s apart) to recover from the journal. Requests go through the supervisor to it.
    /// </summary>
    private static Props Props(ServiceOptions options, ExperimentCatalog catalog) =>
        BackoffSupervisor.Props(Backoff.OnStop(Akka.Actor.Props.Create(() => new ExperimentRegistry(options, catalog)), "registry",
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1));
}

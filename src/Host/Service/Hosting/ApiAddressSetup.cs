using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Phyr.Host.Service.Clustering;

namespace Phyr.Host.Service.Hosting;

/// <summary>
/// In a cluster, a client outside it (`phyr run --cluster SEEDS`) asks the receptionist at a seed node for an HTTP
/// address: every api node registers its <see cref="ApiAddress"/> service there.
/// </summary>
public static class ApiAddressSetup
{
    public static AkkaConfigurationBuilder WithPhyrApiAddress(this AkkaConfigurationBuilder akka, ServiceOptions options)
    {
        if (!options.Clustered) return akka;
        akka.WithClusterClientReceptionist();
        if (!options.Roles.Contains("api")) return akka;
        return akka.WithActors((system, _, resolver) =>
        {
            var server = resolver.GetService<IServer>();
            Func<IEnumerable<string>> bound = () => server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Akka.Cluster.Tools.Client.ClusterClientReceptionist.Get(system)
                .RegisterService(system.ActorOf(Props.Create(() => new ApiAddress(options, bound)), ApiAddress.Name));
        });
    }
}

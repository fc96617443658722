using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Phyr.Host.Service.Clustering;

namespace Phyr.Host.Service.Hosting;

/// <summary>
/// Clustering, when seed nodes are given: remoting on the cluster port, the node's roles, and the split-brain resolver.
/// A node that dies without leaving is downed after DowningAfterSeconds of unreachability, with lease-majority: the
/// bigger half of the workers stays; between halves of equal size (one node of two) the one that takes the lease in
/// the shared database (<see cref="PostgresLease"/>) stays and the other downs itself. So two registries never write
/// one journal, and killing either node of two leaves the other running.
/// </summary>
public static class ClusterSetup
{
    public static AkkaConfigurationBuilder WithPhyrCluster(this AkkaConfigurationBuilder akka, ServiceOptions options)
    {
        if (!options.Clustered) return akka;
        return akka.WithRemoting(options.ClusterHostname, options.ClusterPort)
            .WithClustering(new ClusterOptions { Roles = [.. options.Roles], SeedNodes = [.. options.SeedNodes] })
            .AddHocon(SplitBrainHocon(options), HoconAddMode.Prepend);
    }

    private static string SplitBrainHocon(ServiceOptions options) => $$"""
        akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
        akka.cluster.split-brain-resolver {
          active-strategy = lease-majority
          stable-after = {{options.DowningAfterSeconds}}s
          lease-majority {
            lease-implementation = "{{PostgresLease.ConfigPath}}"
            lease-name = "phyr-service-sbr"
            role = "worker"
            acquire-lease-delay-for-minority = 2s
            # Held well past the longest a losing side may wait for it (the minority delay, then one wait for the
            # expiry): it must find the lease still held, or both halves would stay up.
            release-after = {{LeaseTtlSeconds(options) + 30}}s
          }
        }
        {{PostgresLease.ConfigPath}} {
          lease-class = "{{typeof(PostgresLease).FullName}}, {{typeof(PostgresLease).Assembly.GetName().Name}}"
          connection-string = {{System.Text.Json.JsonSerializer.Serialize(options.EffectiveConnectionString)}}
          heartbeat-interval = 1s
          heartbeat-timeout = {{LeaseTtlSeconds(options)}}s
          lease-operation-timeout = 5s
        }
        """;

    /// <summary>How long a dead holder keeps the lease: the downing delay, but never under 5 s (heartbeats are 1 s apart).</summary>
    private static int LeaseTtlSeconds(ServiceOptions options) => Math.Max(5, options.DowningAfterSeconds);
}

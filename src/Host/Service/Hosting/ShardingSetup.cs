using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Service.Hosting;

/// <summary>
/// In a cluster, experiments and their points are sharded entities on the worker nodes, remembered (with the
/// event-sourced store): an entity whose node dies is started again on another node and resumes from the journal.
/// An api-only node needs no experiment region and reaches the points through a proxy.
/// </summary>
public static class ShardingSetup
{
    private const string WorkerRole = "worker";

    public static AkkaConfigurationBuilder WithPhyrSharding(this AkkaConfigurationBuilder akka, ServiceOptions options)
    {
        if (!options.Clustered) return akka;
        if (!options.Roles.Contains(WorkerRole))
            return akka.WithShardRegionProxy<PointWorker>(PointWorker.Region, WorkerRole, new PointWorker.Extractor());
        var remembered = new ShardOptions
        {
            Role = WorkerRole, StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData,
            RememberEntities = true, RememberEntitiesStore = Akka.Cluster.Sharding.RememberEntitiesStore.Eventsourced,
        };
        return akka
            .WithShardRegion<ExperimentEntity>(ExperimentEntity.Region,
                (_, registry, resolver) => entityId => Props.Create(() => new ExperimentEntity(entityId, resolver.GetService<ExperimentCatalog>(),
                    options, registry.Get<ExperimentRegistry>(), registry.Get<PointWorker>(), true)),
                new ExperimentEntity.Extractor(), remembered)
            .WithShardRegion<PointWorker>(PointWorker.Region,
                (_, _, resolver) => entityId => Props.Create(() => new PointWorker(entityId, resolver.GetService<ExperimentCatalog>(), options)),
                new PointWorker.Extractor(), remembered);
    }
}

using Akka.Actor;
using Akka.Pattern;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;
using Phyr.Host.Service.Actors;
using Phyr.Host.Service.Api;
using Phyr.Host.Service.Clustering;

namespace Phyr.Host.Service;

/// <summary>
/// `phyr serve`: ASP.NET Core hosting the actor system through Akka.Hosting — the experiment registry and its
/// results persisted with Akka.Persistence.Sql (SQLite file in the data directory, or PostgreSQL), the
/// experiment entities, the HTTP API and the dashboard — with Serilog for the host and for Akka.
/// </summary>
public static class ServiceHost
{
    /// <summary>Registry of the running host: what the API asks.</summary>
    public sealed record RegistryRef(IActorRef Actor);

    /// <summary>
    /// The registry under a backoff supervisor: a journal error stops a persistent actor, and the supervisor starts it
    /// again (1 s, then up to 30 s apart) to recover from the journal. Requests go through the supervisor to it.
    /// </summary>
    private static Props RegistryProps(ServiceOptions options, ExperimentCatalog catalog) =>
        BackoffSupervisor.Props(Backoff.OnStop(Props.Create(() => new ExperimentRegistry(options, catalog)), "registry",
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1));

    /// <summary>
    /// A node that dies without leaving is downed by the split-brain resolver after DowningAfterSeconds of
    /// unreachability, with lease-majority: the bigger half of the workers stays; between halves of equal size (one
    /// node of two) the one that takes the lease in the shared database stays and the other downs itself. So two
    /// registries never write one journal, and killing either node of two leaves the other running.
    /// </summary>
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

    public static WebApplication Build(ServiceOptions options, string[]? args = null)
    {
        Directory.CreateDirectory(options.DataDir);
        Directory.CreateDirectory(Path.Combine(options.DataDir, "logs"));
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(Enum.Parse<LogEventLevel>(options.LogLevel))
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {SourceContext} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .WriteTo.File(new Serilog.Formatting.Compact.CompactJsonFormatter(), Path.Combine(options.DataDir, "logs", "phyr-.log"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14)
            .CreateLogger();
        // Akka.Logger.Serilog writes through the static logger.
        Log.Logger = logger;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = options.DataDir });
        builder.Host.UseSerilog(logger, dispose: false);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ExperimentCatalog(options));
        builder.Services.AddSingleton<ResultFiles>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            j.SerializerOptions.WriteIndented = true;
        });

        var (provider, connection) = options.Provider switch
        {
            PersistenceProvider.PostgreSql => (ProviderName.PostgreSQL15, options.EffectiveConnectionString),
            _ => (ProviderName.SQLiteMS, options.EffectiveConnectionString),
        };
        builder.Services.AddAkka(ServiceOptions.SystemName, (akka, sp) =>
        {
            akka.ConfigureLoggers(l =>
                {
                    l.LogLevel = Akka.Event.LogLevel.InfoLevel;
                    l.ClearLoggers();
                    l.AddLogger<SerilogLogger>();
                })
                .AddHocon($$"""
                    akka.log-dead-letters = off
                    akka.actor.serialize-messages = off
                    {{ExperimentEntity.Dispatcher}} {
                      type = ForkJoinDispatcher
                      throughput = 100
                      dedicated-thread-pool { thread-count = {{options.Parallelism}}, threadtype = background }
                    }
                    """, HoconAddMode.Prepend)
                .WithCustomSerializer("phyr-service", ServiceSerializer.Bound, system => new ServiceSerializer(system))
                .WithSqlPersistence(connection, provider, autoInitialize: true)
                .WithActors((system, registry, resolver) =>
                {
                    if (options.Clustered) return;
                    registry.Register<ExperimentRegistry>(system.ActorOf(RegistryProps(options, resolver.GetService<ExperimentCatalog>()), "registry"));
                });
            if (options.Clustered)
            {
                // One registry in the cluster: a singleton on the oldest worker node, reached through a proxy from
                // every node. When that node leaves, the next oldest starts it and it recovers from the shared journal;
                // the experiment that was running goes on in its own (sharded) entity.
                akka.WithRemoting(options.ClusterHostname, options.ClusterPort)
                    .WithClustering(new ClusterOptions
                    {
                        Roles = [.. options.Roles], SeedNodes = [.. options.SeedNodes],
                    })
                    .AddHocon(SplitBrainHocon(options), HoconAddMode.Prepend);
                // Experiments and their points are sharded entities on the worker nodes, remembered: an entity whose node
                // dies is started again on another node and resumes from the journal. An api-only node needs neither.
                var remembered = new ShardOptions
                {
                    Role = "worker", StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData,
                    RememberEntities = true, RememberEntitiesStore = Akka.Cluster.Sharding.RememberEntitiesStore.Eventsourced,
                };
                if (options.Roles.Contains("worker"))
                    akka.WithShardRegion<ExperimentEntity>(ExperimentEntity.Region,
                        (_, registry, resolver) => entityId => Props.Create(() => new ExperimentEntity(entityId, resolver.GetService<ExperimentCatalog>(),
                            options, registry.Get<ExperimentRegistry>(), registry.Get<PointWorker>(), true)),
                        new ExperimentEntity.Extractor(), remembered);
                if (options.Roles.Contains("worker"))
                    akka.WithShardRegion<PointWorker>(PointWorker.Region,
                        (_, _, resolver) => entityId => Props.Create(() => new PointWorker(entityId, resolver.GetService<ExperimentCatalog>(), options)),
                        new PointWorker.Extractor(), remembered);
                else akka.WithShardRegionProxy<PointWorker>(PointWorker.Region, "worker", new PointWorker.Extractor());
                var singleton = new ClusterSingletonOptions { Role = "worker" };
                if (options.Roles.Contains("worker"))
                    akka.WithSingleton<ExperimentRegistry>("registry",
                        (_, _, resolver) => RegistryProps(options, resolver.GetService<ExperimentCatalog>()), singleton, createProxyToo: true);
                else akka.WithSingletonProxy<ExperimentRegistry>("registry", singleton);
                // A client outside the cluster (`phyr run --cluster SEEDS`) asks the receptionist at a seed for an API address.
                akka.WithClusterClientReceptionist();
                if (options.Roles.Contains("api"))
                    akka.WithActors((system, _, resolver) =>
                    {
                        var server = resolver.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>();
                        Func<IEnumerable<string>> bound = () =>
                            server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
                        Akka.Cluster.Tools.Client.ClusterClientReceptionist.Get(system)
                            .RegisterService(system.ActorOf(Props.Create(() => new ApiAddress(options, bound)), ApiAddress.Name));
                    });
            }
        });

        var app = builder.Build();
        app.Use(RequestGuard.Middleware(options));
        app.MapOpenApi("/openapi.json");
        ServeApi.Map(app);
        ClusterApi.Map(app);
        Dashboard.Map(app);
        return app;
    }
}

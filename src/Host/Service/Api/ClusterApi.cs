using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Service.Api;

/// <summary>
/// GET /api/cluster: this node's view of the cluster — each member's address, status and roles, which one hosts
/// the registry (and so runs experiments: the oldest worker), which is this node. A host without seed nodes is a
/// cluster of itself.
/// </summary>
public static class ClusterApi
{
    public static void Map(WebApplication app) =>
        app.MapGet("/api/cluster", async (ActorSystem system, ServiceOptions options, Akka.Hosting.ActorRegistry actors) =>
            {
                // Load: the points each node has run for the experiments running now (from the registry's live progress).
                var registry = await actors.GetAsync<ExperimentRegistry>();
                var views = await registry.Ask<ExperimentRegistry.Views>(new ExperimentRegistry.List(), TimeSpan.FromSeconds(10));
                var load = views.All.Where(v => v.Record.Status == Phyr.Domain.Service.ExperimentStatus.Running && v.Nodes is not null)
                    .SelectMany(v => v.Nodes!).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
                var running = views.All.Where(v => v.Record.Status == Phyr.Domain.Service.ExperimentStatus.Running).ToList();
                var hosting = running.Where(v => v.RunsOn is not null).GroupBy(v => v.RunsOn!).ToDictionary(g => g.Key, g => g.Count());
                return Results.Ok(Describe(system, options, load, running.Count, hosting));
            })
            .WithSummary("The cluster's members, their roles, status and load, and which one runs the registry");

    public static object Describe(ActorSystem system, ServiceOptions options, IReadOnlyDictionary<string, int> load, int running,
        IReadOnlyDictionary<string, int> hosting)
    {
        if (!options.Clustered)
            return new
            {
                mode = "single-node",
                self = "local",
                running_experiments = running,
                members = new[] { new { address = "local", status = "up", roles = options.Roles, self = true, hosts_registry = options.RunExperiments, experiments_hosted = running } },
            };
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var up = state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole("worker")).ToList();
        var oldest = up.Count == 0 ? null : up.Aggregate((a, b) => b.IsOlderThan(a) ? b : a);
        return new
        {
            mode = "cluster",
            self = cluster.SelfAddress.ToString(),
            leader = state.Leader?.ToString(),
            running_experiments = running,
            members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new
            {
                address = m.Address.ToString(),
                status = m.Status.ToString().ToLowerInvariant(),
                roles = m.Roles.Order(StringComparer.Ordinal).ToArray(),
                self = m.Address == cluster.SelfAddress,
                hosts_registry = oldest is not null && m.Equals(oldest),
                reachable = !state.Unreachable.Contains(m),
                points_run = load.GetValueOrDefault(m.Address.ToString()),
                experiments_hosted = hosting.GetValueOrDefault(m.Address.ToString()),
            }).ToArray(),
        };
    }
}

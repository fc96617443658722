using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Phyr.Host.Service;

namespace Phyr.Host.Tests.Serve;

/// <summary>Two `phyr serve` nodes in one process forming an Akka.Cluster on loopback, sharing one PostgreSQL journal.</summary>
[Collection(TestHost.Collection)]
public class ClusterTests() : TempDirectory("phyr-cluster")
{


    private static Task<JsonElement> WaitForMembers(TestHost host, int count) =>
        host.WaitFor("/api/cluster", c => c.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == count,
            $"the cluster did not reach {count} members");

    /// <summary>A node on loopback: its own data directory and cluster port, node A (at <paramref name="seedPort"/>) as the seed, the shared database.</summary>
    private ServiceOptions NodeOptions(string name, int port, int seedPort, string connection, int parallelism) =>
        Databases.WithPostgres(TestHost.Defaults(Path.Combine(_dir, name)), connection) with
        {
            SeedNodes = [$"akka.tcp://{ServiceOptions.SystemName}@127.0.0.1:{seedPort}"], ClusterPort = port, Parallelism = parallelism,
        };

    [Fact]
    public void A_cluster_needs_the_shared_postgresql_journal_and_well_formed_seeds()
    {
        var noPg = CliRunner.Run("serve", "--data", _dir, "--seed-nodes", "akka.tcp://phyr-service@127.0.0.1:4053");
        Assert.Equal(2, noPg.ExitCode);
        Assert.Contains("Persistence:Provider: a cluster's nodes share one journal", noPg.Stderr);
        var badSeed = CliRunner.Run("serve", "--data", _dir, "--seed-nodes", "127.0.0.1:4053");
        Assert.Equal(2, badSeed.ExitCode);
        Assert.Contains("Cluster:SeedNodes: '127.0.0.1:4053' is not akka.tcp://phyr-service@HOST:PORT", badSeed.Stderr);
    }

    [PostgresFact]
    public async Task Any_node_takes_requests_and_a_node_that_leaves_hands_its_experiment_to_the_other()
    {
        await using var database = Databases.NewPostgres();
        var connection = database.ConnectionString;
        var (portA, portB) = (TestResults.FreePort(), TestResults.FreePort());
        ServiceOptions Node(string name, int port) => NodeOptions(name, port, portA, connection, parallelism: 2);
        var a = await TestHost.StartAsync(Node("a", portA));
        await using var b = await TestHost.StartAsync(Node("b", portB));
        try
        {
            var view = await WaitForMembers(b, 2);
            Assert.Equal("cluster", view.GetProperty("mode").GetString());
            // The oldest worker (a, the seed) runs the registry; b reaches it through the singleton proxy.
            var registryHost = view.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("hosts_registry").GetBoolean());
            Assert.EndsWith($":{portA}", registryHost.GetProperty("address").GetString());

            var small = await b.Submit(TestExperiments.Small, seed: 5);
            Assert.Equal("completed", (await b.WaitFinished(small)).GetProperty("status").GetString());
            var conf = Path.Combine(_dir, "small.conf");
            File.WriteAllText(conf, TestExperiments.Small);
            Assert.Equal(0, CliRunner.Run("run", conf, "--seed", "5", "--out", Path.Combine(_dir, "cli-small")).ExitCode);
            Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "cli-small", "results.json"))),
                TestResults.WithoutHost(await b.Http.GetStringAsync($"/api/experiments/{small}/results.json")));
            // A client that knows only the cluster's node addresses: it finds an API through them and runs there.
            var seeds = $"akka.tcp://{ServiceOptions.SystemName}@127.0.0.1:{portB},akka.tcp://{ServiceOptions.SystemName}@127.0.0.1:{portA}";
            var viaSeeds = await Task.Run(() => CliRunner.Run("run", conf, "--seed", "5", "--cluster", seeds, "--out", Path.Combine(_dir, "seeds-small")));
            Assert.True(viaSeeds.ExitCode == 0, viaSeeds.Stderr);
            Assert.Matches(@"the cluster at .* takes requests at http://127\.0\.0\.1:\d+", viaSeeds.Stderr);
            Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "cli-small", "results.json"))),
                TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "seeds-small", "results.json"))));

            // A long one, then the registry's node leaves mid-run: b takes the registry over and finishes it.
            var id = await b.Submit(TestExperiments.Long);
            await b.WaitPoints(id, 2);
        }
        finally
        {
            await a.DisposeAsync();
        }
        var after = await WaitForMembers(b, 1);
        var done = await b.WaitFinished("e000003", 180);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("starts").GetInt32());
        Assert.True(after.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("self").GetBoolean()).GetProperty("hosts_registry").GetBoolean());
        var longConf = Path.Combine(_dir, "long.conf");
        File.WriteAllText(longConf, TestExperiments.Long);
        Assert.Equal(0, CliRunner.Run("run", longConf, "--out", Path.Combine(_dir, "cli-long")).ExitCode);
        Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "cli-long", "results.json"))),
            TestResults.WithoutHost(await b.Http.GetStringAsync("/api/experiments/e000003/results.json")));
        Assert.Equal(["e000001", "e000002", "e000003"], (await b.GetJson("/api/experiments")).EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    [PostgresFact]
    public async Task Points_are_spread_over_the_nodes_and_a_node_that_leaves_loses_none()
    {
        await using var database = Databases.NewPostgres();
        var connection = database.ConnectionString;
        var (portA, portB) = (TestResults.FreePort(), TestResults.FreePort());
        ServiceOptions Node(string name, int port) => NodeOptions(name, port, portA, connection, parallelism: 1);
        await using var a = await TestHost.StartAsync(Node("a", portA));
        var b = await TestHost.StartAsync(Node("b", portB));
        string id;
        try
        {
            await WaitForMembers(a, 2);
            // An experiment is an entity on whichever worker its shard lives: take one that runs on b (cancelling
            // those that landed on a), so that b's leaving moves the experiment itself, not only points. New shards go to
            // the region with the fewest, but only once b's region has registered with the coordinator, which on a loaded
            // machine can take a while after b is up: keep trying until then, not a fixed number of times.
            id = "";
            var until = DateTime.UtcNow.AddSeconds(120);
            while (id == "" && DateTime.UtcNow < until)
            {
                var candidate = await a.Submit(TestExperiments.Long);
                var running = await a.WaitFor($"/api/experiments/{candidate}", e => e.TryGetProperty("runs_on", out var r) && r.ValueKind == JsonValueKind.String,
                    "the experiment never said where it runs");
                if (running.GetProperty("runs_on").GetString()!.EndsWith($":{portB}", StringComparison.Ordinal)) id = candidate;
                else
                {
                    await a.Http.PostAsync($"/api/experiments/{candidate}/cancel", null);
                    await a.WaitFinished(candidate);
                }
            }
            Assert.NotEqual("", id);
            // Both nodes run points (one at a time each), then b leaves mid-run.
            await a.WaitNodes(id, 2, points: 4);
            var hosted = (await a.GetJson("/api/cluster")).GetProperty("members").EnumerateArray()
                .Single(m => m.GetProperty("address").GetString()!.EndsWith($":{portB}", StringComparison.Ordinal));
            Assert.Equal(1, hosted.GetProperty("experiments_hosted").GetInt32());
            // The cluster view shows the load: points each member has run for the running experiment.
            var view = await a.GetJson("/api/cluster");
            if (view.GetProperty("running_experiments").GetInt32() == 1)
                Assert.All(view.GetProperty("members").EnumerateArray(), m => Assert.True(m.GetProperty("points_run").GetInt32() > 0, m.ToString()));
        }
        finally
        {
            await b.DisposeAsync();
        }
        var done = await a.WaitFinished(id, 180);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        // Not restarted by the registry: the experiment's entity started again on a and resumed from the journal.
        Assert.Equal(1, done.GetProperty("starts").GetInt32());

        // b comes back (same data directory and port), rejoins, and gets work again.
        await using (var back = await TestHost.StartAsync(Node("b", portB)))
        {
            await WaitForMembers(a, 2);
            var again = await a.Submit(TestExperiments.Long, seed: 2);
            var second = await a.WaitFinished(again, 180);
            Assert.Equal("completed", second.GetProperty("status").GetString());
            Assert.Equal(2, second.GetProperty("nodes").EnumerateObject().Count(n => n.Value.GetInt32() > 0));
        }
        Assert.Equal(40, done.GetProperty("points_done").GetInt32());
        var conf = Path.Combine(_dir, "long.conf");
        File.WriteAllText(conf, TestExperiments.Long);
        Assert.Equal(0, CliRunner.Run("run", conf, "--out", Path.Combine(_dir, "cli")).ExitCode);
        Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "cli", "results.json"))),
            TestResults.WithoutHost(await a.Http.GetStringAsync($"/api/experiments/{id}/results.json")));
    }

    [PostgresFact]
    public async Task A_point_that_cannot_run_on_a_node_fails_the_run_instead_of_waiting()
    {
        await using var database = Databases.NewPostgres();
        var connection = database.ConnectionString;
        var (portA, portB) = (TestResults.FreePort(), TestResults.FreePort());
        ServiceOptions Node(string name, int port) => NodeOptions(name, port, portA, connection, parallelism: 1);
        // The layout is in a's data directory only: b cannot build the points sent to it.
        Directory.CreateDirectory(Path.Combine(_dir, "a", "layouts"));
        File.WriteAllLines(Path.Combine(_dir, "a", "layouts", "mine.pfn"), Enumerable.Range(0, 1024).Select(i => (1000 + 2 * i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var a = await TestHost.StartAsync(Node("a", portA));
        await using var b = await TestHost.StartAsync(Node("b", portB));
        await WaitForMembers(a, 2);
        // Warm up until b's shard region has taken points (its region registers a moment after it is up), then stop.
        var warm = await a.Submit(TestExperiments.Long);
        await a.WaitNodes(warm, 2);
        await a.Http.PostAsync($"/api/experiments/{warm}/cancel", null);
        await a.WaitFinished(warm);
        var id = await a.Submit("""
            scenario = gup-phyrs-1g-4k-b16
            base { region = 4M, layout.fragmentation = default, layout.pfns = mine.pfn }
            axes { cpus = "1, 2, 3, 4, 5, 6, 7, 8", gup.batch = "16, 32, 64, 128" }
            """);
        var done = await a.WaitFinished(id, 120);
        Assert.Equal("failed", done.GetProperty("status").GetString());
        Assert.Contains("mine.pfn", done.GetProperty("error").GetString());
        Assert.Contains($":{portB}", done.GetProperty("error").GetString());
    }
}

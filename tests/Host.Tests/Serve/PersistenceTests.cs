using System.Text.Json;
using Phyr.Host.Service;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Tests.Serve;

/// <summary>The registry and results survive restarts, on SQLite and on PostgreSQL.</summary>
[Collection(TestHost.Collection)]
public class PersistenceTests() : TempDirectory("phyr-persist")
{
    [Fact]
    public Task History_survives_restarts_on_sqlite() => Restarts(TestHost.Defaults(_dir));

    [PostgresFact]
    public async Task History_survives_restarts_on_postgresql()
    {
        await using var database = Databases.NewPostgres();
        var connection = database.ConnectionString;
        await Restarts(Databases.WithPostgres(TestHost.Defaults(_dir), connection));
    }

    /// <summary>
    /// Host 1 runs an experiment; host 2 (not running experiments) still lists it, serves the same results and
    /// accepts another; host 3 runs that one. Every host starts on the same database (tables made on first start).
    /// </summary>
    private static async Task Restarts(ServiceOptions options)
    {
        string first, results;
        await using (var host = await TestHost.StartAsync(options))
        {
            first = await host.Submit(TestExperiments.Small, seed: 3);
            Assert.Equal("completed", (await host.WaitFinished(first)).GetProperty("status").GetString());
            results = await host.Http.GetStringAsync($"/api/experiments/{first}/results.json");
        }
        string second;
        await using (var host = await TestHost.StartAsync(options with { RunExperiments = false }))
        {
            var e = await host.GetJson($"/api/experiments/{first}");
            Assert.Equal("completed", e.GetProperty("status").GetString());
            Assert.Equal(4, e.GetProperty("points_done").GetInt32());
            Assert.Equal(results, await host.Http.GetStringAsync($"/api/experiments/{first}/results.json"));
            second = await host.Submit(TestExperiments.Small, seed: 4);
            Assert.Equal("e000002", second);
            Assert.Equal("queued", (await host.GetJson($"/api/experiments/{second}")).GetProperty("status").GetString());
        }
        await using (var host = await TestHost.StartAsync(options))
        {
            var e = await host.WaitFinished(second);
            Assert.Equal("completed", e.GetProperty("status").GetString());
            var list = (await host.GetJson("/api/experiments")).EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToList();
            Assert.Equal([first, second], list);
            // Same experiment, another seed: other numbers, and they are stored apart.
            Assert.NotEqual(results, await host.Http.GetStringAsync($"/api/experiments/{second}/results.json"));
            Assert.Equal(results, await host.Http.GetStringAsync($"/api/experiments/{first}/results.json"));
            // Stored where the settings say: no SQLite file when PostgreSQL holds the journal.
            Assert.Equal(options.Provider.ToString().ToLowerInvariant(), (await host.GetJson("/healthz")).GetProperty("persistence").GetString());
            Assert.Equal(options.Provider == PersistenceProvider.Sqlite, File.Exists(Path.Combine(options.DataDir, "phyr.db")));
        }
    }

    [Fact]
    public async Task The_registry_recovers_from_snapshots_and_later_events()
    {
        // More events than the snapshot interval: recovery replays a snapshot plus the events after it.
        var options = TestHost.Defaults(_dir) with { RunExperiments = false, QueueLimit = 1000 };
        var ids = new List<string>();
        await using (var host = await TestHost.StartAsync(options))
            for (var i = 0; i < ExperimentRegistry.SnapshotEvery + 7; i++)
                ids.Add(await host.Submit(TestExperiments.Small, seed: (ulong)i));
        await using (var host = await TestHost.StartAsync(options))
        {
            var listed = (await host.GetJson("/api/experiments")).EnumerateArray().ToList();
            Assert.Equal(ids, listed.Select(x => x.GetProperty("id").GetString()));
            Assert.Equal(Enumerable.Range(0, ids.Count).Select(i => (ulong)i), listed.Select(x => x.GetProperty("seed").GetUInt64()));
            Assert.Equal($"e{ids.Count + 1:D6}", await host.Submit(TestExperiments.Small));
        }
    }
}

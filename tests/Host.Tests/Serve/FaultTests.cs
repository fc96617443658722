using System.Diagnostics;
using System.Net;
using Npgsql;
using Phyr.Tests.Shared;

namespace Phyr.Host.Tests.Serve;

/// <summary>A test that needs root on Linux (as CI runs): it runs there and is skipped, saying <paramref name="why"/>, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(string why)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") Skip = $"needs root on Linux ({why})";
    }
}

/// <summary>
/// Faults of what the host depends on, against the real things: the PostgreSQL server gone and back under a running
/// server (the TCP path to it cut: connections reset, new ones refused), the data directory's disk full (a 48 MB
/// tmpfs). Submissions meanwhile get 503, nothing accepted is lost or corrupted, and the host recovers by itself.
/// </summary>
[Collection(TestHost.Collection)]
public class FaultTests() : TempDirectory("phyr-fault")
{
    private static async Task WaitHealthy(TestHost host, int seconds)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await host.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            Assert.True(clock.Elapsed.TotalSeconds < seconds, $"the host was not healthy again within {seconds} s");
            await Task.Delay(250);
        }
    }

    [PostgresFact]
    public async Task PostgreSQL_gone_and_back_under_a_running_server_loses_nothing_accepted_and_the_run_resumes()
    {
        await using var database = Databases.NewPostgres();
        var real = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        using var cut = new TcpCut(real.Host ?? "127.0.0.1", real.Port);
        var viaCut = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = cut.Port, Timeout = 3 }.ConnectionString;
        string id;
        await using (var host = await TestHost.StartAsync(Databases.WithPostgres(TestHost.Defaults(_dir), viaCut)))
        {
            id = await host.Submit(TestExperiments.Long);
            await host.WaitPoints(id, 3);
            cut.Down();
            var during = await host.Http.PostAsync("/api/experiments", new StringContent(TestExperiments.Small));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            cut.Up();
            await WaitHealthy(host, 120);
            var done = await host.WaitFinished(id, 300);
            Assert.Equal("completed", done.GetProperty("status").GetString());
            Assert.Equal(40, done.GetProperty("points_done").GetInt32());
            var list = await host.GetJson("/api/experiments");
            Assert.Equal([id], list.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        }
        // What was stored is whole: a new host on the same database serves every point.
        await using var again = await TestHost.StartAsync(Databases.WithPostgres(TestHost.Defaults(_dir), database.ConnectionString) with { RunExperiments = false });
        Assert.Equal(40, (await again.GetJson($"/api/experiments/{id}/results.json")).GetProperty("points").GetArrayLength());
    }

    [RootFact("it mounts a tmpfs")]
    public async Task A_full_disk_is_503_nothing_stored_is_corrupted_and_the_host_recovers_when_space_returns()
    {
        Directory.CreateDirectory(_dir);
        Run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", _dir);
        try
        {
            string first, results;
            await using (var host = await TestHost.StartAsync(TestHost.Defaults(_dir)))
            {
                first = await host.Submit(TestExperiments.Small);
                Assert.Equal("completed", (await host.WaitFinished(first)).GetProperty("status").GetString());
                results = await host.Http.GetStringAsync($"/api/experiments/{first}/results.json");
                var filler = Path.Combine(_dir, "filler");
                Fill(filler);
                var during = await host.Http.PostAsync("/api/experiments", new StringContent(TestExperiments.Small));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
                File.Delete(filler);
                await WaitHealthy(host, 120);
                var next = await host.Submit(TestExperiments.Small, seed: 2);
                Assert.Equal("completed", (await host.WaitFinished(next)).GetProperty("status").GetString());
                Assert.Equal(results, await host.Http.GetStringAsync($"/api/experiments/{first}/results.json"));
            }
            // Restarted on the same files: both there, the first's results unchanged.
            await using var again = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RunExperiments = false });
            Assert.Equal(2, (await again.GetJson("/api/experiments")).GetArrayLength());
            Assert.Equal(results, await again.Http.GetStringAsync($"/api/experiments/{first}/results.json"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Run("umount", "-l", _dir);
        }
    }

    /// <summary>Writes <paramref name="path"/> until the file system has no space left.</summary>
    private static void Fill(string path)
    {
        var block = new byte[1 << 20];
        using var f = File.Create(path);
        try
        {
            while (true)
            {
                f.Write(block);
                f.Flush(true);
            }
        }
        catch (IOException)
        {
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }
}

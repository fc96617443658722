using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Phyr.Host.Tests.Serve;

/// <summary>A real `phyr serve` process killed with SIGKILL mid-run, then started again on the same data directory.</summary>
public class CrashTests() : TempDirectory("phyr-crash")
{
    private Process Serve(int port)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "phyr.dll")}\" serve --data \"{_dir}\" " +
                                                 $"--urls http://127.0.0.1:{port} --parallelism 2 --log-level Warning")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<JsonElement> Get(HttpClient http, string path) =>
        JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();

    private static async Task WaitUp(HttpClient http, Process p)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(p.HasExited, "phyr serve exited while starting");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            Assert.True(DateTime.UtcNow < deadline, "phyr serve did not answer /healthz within 60 s");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> WaitFor(HttpClient http, string id, Func<JsonElement, bool> done, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var e = await Get(http, $"/api/experiments/{id}");
            if (done(e)) return e;
            Assert.True(DateTime.UtcNow < deadline, $"{id}: still {e} after {seconds} s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Killed_mid_run_a_restart_keeps_everything_and_finishes_with_the_same_numbers()
    {
        var port = TestResults.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        string small, smallResults, longId;
        var first = Serve(port);
        try
        {
            await WaitUp(http, first);
            small = await Submit(http, TestExperiments.Small);
            await WaitFor(http, small, e => e.GetProperty("status").GetString() == "completed", 120);
            smallResults = await http.GetStringAsync($"/api/experiments/{small}/results.json");
            longId = await Submit(http, TestExperiments.Long);
            // Killed once some points are done, well before the end.
            var running = await WaitFor(http, longId, e => e.GetProperty("points_done").GetInt32() >= 4, 120);
            Assert.True(running.GetProperty("points_done").GetInt32() < 40, "the run ended before it could be killed: make it longer");
        }
        finally
        {
            first.Kill(); // SIGKILL: no shutdown hooks, nothing flushed
            await first.WaitForExitAsync();
        }

        var second = Serve(port);
        try
        {
            await WaitUp(http, second);
            var listed = (await Get(http, "/api/experiments")).EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
            Assert.Equal([small, longId], listed);
            Assert.Equal(smallResults, await http.GetStringAsync($"/api/experiments/{small}/results.json"));
            var done = await WaitFor(http, longId, e => e.GetProperty("status").GetString() is "completed" or "failed", 180);
            Assert.Equal("completed", done.GetProperty("status").GetString());
            Assert.Equal(40, done.GetProperty("points_done").GetInt32());
            Assert.Equal(2, done.GetProperty("starts").GetInt32()); // resumed after the restart

            // The numbers of an uninterrupted command-line run of the same experiment.
            var conf = Path.Combine(_dir, "long.conf");
            File.WriteAllText(conf, TestExperiments.Long);
            var cli = CliRunner.Run("run", conf, "--out", Path.Combine(_dir, "cli"));
            Assert.Equal(0, cli.ExitCode);
            Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "cli", "results.json"))),
                TestResults.WithoutHost(await http.GetStringAsync($"/api/experiments/{longId}/results.json")));
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync();
        }
    }

    private static async Task<string> Submit(HttpClient http, string conf)
    {
        var response = await http.PostAsync("/api/experiments", new StringContent(conf));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}

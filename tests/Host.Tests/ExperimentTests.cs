using System.Diagnostics;
using System.Text.Json;
using Phyr.Tests.Shared;

namespace Phyr.Host.Tests;

public class ExperimentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"phyr-exp-{Guid.NewGuid():N}");

    public ExperimentTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, body);
        return path;
    }

    private string Experiment(string axes, string extra = "") => Write($"e{Guid.NewGuid():N}.conf", $$"""
        name = t
        scenario = base.conf
        {{extra}}
        axes {
        {{axes}}
        }
        """);

    /// <summary>The base scenario the experiments refer to: 4 MiB, no two frames contiguous, locked get_user_phyrs.</summary>
    private void WriteBase() => Write("base.conf", "region = 4M\nlayout.fragmentation = 1\ngup { call = get_user_phyrs, walk = locked }\n");

    private static string WithoutHost(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return string.Join("\n", doc.RootElement.EnumerateObject().Where(p => p.Name != "host").Select(p => p.ToString()));
    }

    [Fact]
    public void Every_point_runs_and_results_do_not_depend_on_parallelism()
    {
        WriteBase();
        var exp = Experiment("gup.batch = \"16, 512\"\ncpus = \"1, 2\"", "repetitions = 2");
        var one = CliRunner.Run("run", exp, "--out", Path.Combine(_dir, "one"), "--parallelism", "1");
        var two = CliRunner.Run("run", exp, "--out", Path.Combine(_dir, "two"), "--parallelism", "2");
        Assert.Equal(0, one.ExitCode);
        Assert.Equal(0, two.ExitCode);
        Assert.Equal(WithoutHost(Path.Combine(_dir, "one", "results.json")), WithoutHost(Path.Combine(_dir, "two", "results.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "one", "results.csv")), File.ReadAllText(Path.Combine(_dir, "two", "results.csv")));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "one", "results.json")));
        var points = doc.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(8, points.Count);                                   // 2 x 2 axes x 2 repetitions
        Assert.Equal(8, doc.RootElement.GetProperty("points_done").GetInt32());
        // 4 MiB, no two frames contiguous: 1024 phyrs; batch 16 takes 64 calls per CPU, 512 takes 2.
        Assert.Equal(64, points[0].GetProperty("metrics").GetProperty("gup_calls").GetDouble());
        Assert.NotEqual(points[0].GetProperty("seed").GetUInt64(), points[1].GetProperty("seed").GetUInt64()); // repetitions differ
        Assert.Contains("[8/8]", one.Stderr);
        var report = File.ReadAllText(Path.Combine(_dir, "one", "report.md"));
        Assert.Contains("| gup.batch | cpus | rep |", report);
        foreach (var png in new[] { "sim-time-vs-batch.png", "lock-wait-p99-vs-cpus.png" })
        {
            Assert.Contains($"]({png})", report);
            var bytes = File.ReadAllBytes(Path.Combine(_dir, "one", png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]); // a real PNG
        }
    }

    [Theory]
    [InlineData("gup.batch = \"16, 512\"", "sweep = 3", "unknown key 'sweep'")]
    [InlineData("gup.batch = \"\"", "", "axes.gup.batch: give comma-separated values, none empty")]
    [InlineData("gup.batchsize = \"16\"", "", "axes.gup.batchsize: 'gup.batchsize' is not a scenario key")]
    [InlineData("gup.batch = \"16, 0\"", "", "gup.batch: 0 is not between 1 and 16777216")]
    [InlineData("gup.batch = \"16, 16\"", "", "axes.gup.batch: a value is given twice")]
    [InlineData("", "", "'axes' is missing or empty")]
    [InlineData("cpus = \"1\"", "repetitions = 0", "repetitions: '0' is not a whole number between 1 and 1000")]
    public void Bad_experiments_are_refused_before_any_point_runs(string axes, string extra, string expected)
    {
        WriteBase();
        var outDir = Path.Combine(_dir, "bad");
        var r = CliRunner.Run("run", Experiment(axes, extra), "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.False(Directory.Exists(outDir), "nothing may be written for a refused experiment");
    }

    [Fact]
    public void A_missing_base_scenario_is_named()
    {
        var exp = Write("x.conf", "scenario = nowhere\naxes { cpus = \"1\" }\n");
        var r = CliRunner.Run("run", exp, "--out", Path.Combine(_dir, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'nowhere' is neither a file nor a name in config/scenarios", r.Stderr);
    }

    [Fact]
    public void Shipped_experiments_run_by_name()
    {
        var r = CliRunner.Run("run", "batch-sweep-small", "--out", Path.Combine(_dir, "shipped"), "--parallelism", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("| 512 | 4 | 0 |", r.Stdout);
    }

    [Fact]
    public async Task Ctrl_c_leaves_the_finished_points_on_disk()
    {
        // A real process, interrupted with SIGINT once some points are written.
        Write("base.conf", "region = 64M\nlayout.fragmentation = 1\ngup { call = get_user_phyrs, walk = locked, batch = 16 }\n");
        var exp = Experiment("cpus = \"1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16\"", "repetitions = 4");
        var outDir = Path.Combine(_dir, "int");
        var psi = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "phyr.dll")}\" run \"{exp}\" --out \"{outDir}\" --parallelism 1")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var results = Path.Combine(outDir, "results.json");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(results) && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(50);
        Assert.True(File.Exists(results), "no point finished within 60 s");
        Process.Start("kill", $"-INT {p.Id}")!.WaitForExit();
        Assert.True(p.WaitForExit(60_000), "phyr did not stop after SIGINT");
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("interrupted", await stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(results));
        var done = doc.RootElement.GetProperty("points_done").GetInt32();
        Assert.InRange(done, 1, 63);
        Assert.Equal(done, doc.RootElement.GetProperty("points").GetArrayLength());
        Assert.Equal(64, doc.RootElement.GetProperty("points_total").GetInt32());
        await stdout;
    }
}

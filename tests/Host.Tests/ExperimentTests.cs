using System.Diagnostics;
using System.Text.Json;
using Phyr.Tests.Shared;
using Phyr.Domain.Results;

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


    [Fact]
    public void Every_point_runs_and_results_do_not_depend_on_parallelism()
    {
        WriteBase();
        var exp = Experiment("gup.batch = \"16, 512\"\ncpus = \"1, 2\"", "repetitions = 2");
        var one = CliRunner.Run("run", exp, "--out", Path.Combine(_dir, "one"), "--parallelism", "1");
        var two = CliRunner.Run("run", exp, "--out", Path.Combine(_dir, "two"), "--parallelism", "2");
        Assert.Equal(0, one.ExitCode);
        Assert.Equal(0, two.ExitCode);
        Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "one", "results.json"))), TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "two", "results.json"))));
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "one", "results.csv")), File.ReadAllText(Path.Combine(_dir, "two", "results.csv")));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "one", "results.json")));
        var points = doc.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(8, points.Count);                                   // 2 x 2 axes x 2 repetitions
        Assert.Equal(8, doc.RootElement.GetProperty("points_done").GetInt32());
        // 4 MiB, no two frames contiguous: 1024 phyrs; batch 16 takes 64 calls per CPU, 512 takes 2.
        Assert.Equal(64, points[0].GetProperty("metrics").GetProperty(Metric.GupCalls.Name).GetDouble());
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

    private static JsonElement Points(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Coupled_axes_move_together_and_default_takes_a_key_out()
    {
        WriteBase();
        // legacy needs pin_user_pages, the phyr strategies get_user_phyrs: a product of the two would be refused.
        var exp = Experiment("dma.strategy+gup.call = \"legacy+pin_user_pages, phyr-native+get_user_phyrs\"\n" +
                             "layout.fragmentation = \"1, default\"");
        var outDir = Path.Combine(_dir, "coupled");
        var r = CliRunner.Run("run", exp, "--out", outDir);
        Assert.Equal(0, r.ExitCode);
        var root = Points(outDir);
        Assert.Equal(["dma.strategy", "gup.call", "layout.fragmentation"], root.GetProperty("axes").EnumerateArray().Select(a => a.GetString()));
        var points = root.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(4, points.Count);
        Assert.Equal("pin_user_pages", points[0].GetProperty("axes").GetProperty("gup.call").GetString());
        Assert.Equal("get_user_phyrs", points[2].GetProperty("axes").GetProperty("gup.call").GetString());
        // 4 MiB with no two frames contiguous is 1024 ranges; the default (0.5) merges some.
        double Entries(int i) => points[i].GetProperty("metrics").GetProperty(Metric.OutputEntries.Name).GetDouble();
        Assert.Equal(1024, Entries(2));
        Assert.True(Entries(3) < 1024, $"default fragmentation gave {Entries(3)} phyrs");
        var report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("- dma.strategy+gup.call legacy+pin_user_pages → phyr-native+get_user_phyrs multiplies simulated time by", report);
        Assert.Contains("| dma.strategy+gup.call | legacy+pin_user_pages → phyr-native+get_user_phyrs | sim_time_ns | 2 |", report);
    }

    [Theory]
    [InlineData("dma.strategy+gup.call = \"legacy+pin_user_pages, phyr-native\"", "axes.dma.strategy+gup.call: 'phyr-native' does not give 2 values joined by '+'")]
    [InlineData("dma.strategy+gup.cal = \"legacy+pin_user_pages\"", "axes.dma.strategy+gup.cal: 'gup.cal' is not a scenario key")]
    [InlineData("cpus+cpus = \"1+1\"", "a key is coupled with itself")]
    [InlineData("cpus = \"1\"\ncpus+gup.batch = \"2+16\"", "'cpus' is swept by two axes")]
    [InlineData("dma.strategy = \"legacy\"", "dma.strategy: legacy maps a page array: it needs gup.call = pin_user_pages")]
    public void Bad_coupled_axes_are_refused(string axes, string expected)
    {
        WriteBase();
        var outDir = Path.Combine(_dir, "bad");
        var r = CliRunner.Run("run", Experiment(axes), "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Invalid_points_can_be_skipped_and_are_listed()
    {
        WriteBase();
        var exp = Experiment("dma.strategy = \"legacy, phyr-native\"", "invalid-points = skip");
        var outDir = Path.Combine(_dir, "skip");
        var r = CliRunner.Run("run", exp, "--out", outDir);
        Assert.Equal(0, r.ExitCode);
        var root = Points(outDir);
        Assert.Equal(1, root.GetProperty("points_total").GetInt32());
        var skipped = Assert.Single(root.GetProperty("skipped").EnumerateArray());
        Assert.Equal("legacy", skipped.GetProperty("axes").GetProperty("dma.strategy").GetString());
        Assert.Equal("dma.strategy: legacy maps a page array: it needs gup.call = pin_user_pages", skipped.GetProperty("reason").GetString());
        Assert.Contains("- dma.strategy=legacy: dma.strategy: legacy maps a page array", File.ReadAllText(Path.Combine(outDir, "report.md")));

        var none = CliRunner.Run("run", Experiment("dma.strategy = \"legacy\"", "invalid-points = skip"), "--out", Path.Combine(_dir, "none"));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("every combination of the axes is invalid", none.Stderr);
        var badValue = CliRunner.Run("run", Experiment("cpus = \"1\"", "invalid-points = maybe"), "--out", Path.Combine(_dir, "bv"));
        Assert.Contains("invalid-points: 'maybe' is not error or skip", badValue.Stderr);
    }

    [Fact]
    public void An_unlimited_batch_takes_the_region_in_one_call_and_is_plotted_last()
    {
        WriteBase();
        var outDir = Path.Combine(_dir, "unl");
        var r = CliRunner.Run("run", Experiment("gup.batch = \"16, unlimited\"\ncpus = \"1, 2\""), "--out", outDir);
        Assert.Equal(0, r.ExitCode);
        var points = Points(outDir).GetProperty("points").EnumerateArray().ToList();
        double M(int i, string m) => points[i].GetProperty("metrics").GetProperty(m).GetDouble();
        // Points: 16 x 1 CPU, 16 x 2, unlimited x 1, unlimited x 2.
        Assert.Equal(64, M(0, Metric.GupCalls.Name));
        Assert.Equal(1, M(2, Metric.GupCalls.Name));
        Assert.Equal(2, M(3, Metric.GupCalls.Name));
        // The array of an unlimited call holds what it returned: 1024 phyrs of 16 bytes, not 2^31 entries.
        Assert.Equal(1024 * 16, M(2, Metric.DescriptorBytesPeak.Name));
        Assert.True(File.Exists(Path.Combine(outDir, "sim-time-vs-batch.png")));
    }

    [Fact]
    public void A_layout_experiment_describes_the_region_in_every_format()
    {
        // A pfn file next to the experiment, named relative to it: eight frames, two runs of four.
        Write("eight.pfn", "# two runs\n100\n101\n102\n103\n200\n201\n202\n203\n");
        Write("base.conf", "region = 32K\nlayout.describe = true\ngup { call = get_user_phyrs }\n");
        var exp = Experiment("layout.pfns+layout.fragmentation = \"eight.pfn+default, default+1\"");
        var outDir = Path.Combine(_dir, "density");
        var r = CliRunner.Run("run", exp, "--out", outDir);
        Assert.Equal(0, r.ExitCode);
        var points = Points(outDir).GetProperty("points").EnumerateArray().ToList();
        double M(int i, string m) => points[i].GetProperty("metrics").GetProperty(m).GetDouble();
        Assert.Equal(2, M(0, Metric.LayoutRanges.Name));
        Assert.Equal(2 * 16, M(0, Metric.FormatBytes("phyr").Name));        // struct phyr {addr, len}
        Assert.Equal(8 * 8, M(0, Metric.FormatBytes("page-array").Name));  // a pointer per page
        Assert.Equal(2 * 8, M(0, Metric.FormatBytes("power-of-two").Name)); // two naturally aligned 4-page blocks (100 and 200 are multiples of 4)
        Assert.Equal(8, M(1, Metric.LayoutRanges.Name));
        Assert.Equal(8 * 16, M(1, Metric.FormatBytes("phyr").Name));
        var report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("| layout_ranges | page-array | scatterlist |", report);
        Assert.Contains("Smallest description:", report);
        Assert.Contains("](descriptor-bytes-by-format.png)", report);
        Assert.DoesNotContain("## Effect of each axis", report);
    }

    [Fact]
    public void Feature_switches_are_reported_as_ratios()
    {
        Write("base.conf", "region = 4M\nshared-region = true\ncpus = 4\ngup { call = pin_user_pages, walk = locked, batch = 16 }\n");
        var exp = Experiment("features.has-pinned-write = \"off, on\"");
        var outDir = Path.Combine(_dir, "feat");
        Assert.Equal(0, CliRunner.Run("run", exp, "--out", outDir).ExitCode);
        var report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        var line = report.Split('\n').Single(l => l.StartsWith("- features.has-pinned-write off → on multiplies simulated time by", StringComparison.Ordinal));
        Assert.True(Ratio(line.Split("by ")[1]) >= 1, line);
        // Every call writes the mm's flag line: four CPUs bounce it, so the transfers go up.
        var row = report.Split('\n').Single(l => l.StartsWith("| features.has-pinned-write | off → on | cacheline_transfers | 1 |", StringComparison.Ordinal));
        Assert.True(Ratio(row.Split('|')[5]) > 1, row);
    }

    private static double Ratio(string text) => double.Parse(text.Trim().TrimEnd('.', '\r'), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Shipped_strategies_gives_a_cost_breakdown_per_device_and_lists_what_it_skipped()
    {
        var outDir = Path.Combine(_dir, "strategies");
        var r = CliRunner.Run("run", "strategies", "--out", outDir, "--parallelism", "2");
        Assert.Equal(0, r.ExitCode);
        var root = Points(outDir);
        Assert.Equal(54, root.GetProperty("points_done").GetInt32());
        Assert.Equal(26, root.GetProperty("skipped").GetArrayLength());
        foreach (var device in new[] { "rdma", "nvme", "vfio" })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(outDir, $"cost-breakdown-by-strategy-{device}.png"))[..4]);
        var report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        // IOPS is the headline when the points did I/O; a strict IOMMU costs NVMe IOPS, so the ratio is below 1.
        var line = report.Split('\n').Single(l => l.StartsWith("- iommu.mode none → strict multiplies IOPS by", StringComparison.Ordinal));
        Assert.True(Ratio(line.Split("by ")[1].Split(' ')[0]) < 1, line);
    }
}

using System.Text.Json;
using Phyr.Domain.Results;

namespace Phyr.Host.Tests;

public class RunCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"phyr-run-{Guid.NewGuid():N}");

    public RunCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Scenario(string body)
    {
        var path = Path.Combine(_dir, $"s{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, body);
        return path;
    }

    private const string Small = """
        name = small
        cpus = 2
        region = 8M
        backing = anon-4k
        gup { call = get_user_phyrs, batch = 16, walk = locked }
        """;

    [Fact]
    public void Results_json_is_byte_identical_for_any_parallelism_apart_from_host()
    {
        var file = Scenario(Small);
        var a = CliRunner.Run("run", file, "--out", Path.Combine(_dir, "a"), "--parallelism", "1", "--seed", "9");
        var b = CliRunner.Run("run", file, "--out", Path.Combine(_dir, "b"), "--parallelism", "2", "--seed", "9");
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(0, b.ExitCode);
        string WithoutHost(string dir)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, dir, "results.json")));
            return string.Join("\n", doc.RootElement.EnumerateObject().Where(p => p.Name != "host").Select(p => p.ToString()));
        }
        Assert.Equal(WithoutHost("a"), WithoutHost("b"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "a", "results.json")));
        var metrics = json.RootElement.GetProperty("metrics");
        foreach (var key in new[] { Metric.SimTimeNs.Name, Metric.PagesPinned.Name, Metric.GupCalls.Name, Metric.PagetableWalks.Name, Metric.PtlAcquisitions.Name, Metric.PtlContended.Name,
                     Metric.PtlWaitNsP99.Name, Metric.MmapLockWaitNsP99.Name, Metric.CachelineTransfers.Name, Metric.DescriptorBytesPeak.Name, Metric.InvariantViolations.Name })
            Assert.True(metrics.TryGetProperty(key, out _), key);
        Assert.Equal(2 * 2048, metrics.GetProperty(Metric.PagesPinned.Name).GetDouble());
        Assert.True(json.RootElement.GetProperty("host").GetProperty("wall_time_s").GetDouble() >= 0);
    }

    [Fact]
    public void Shipped_scenarios_run_by_name()
    {
        var r = CliRunner.Run("run", "gup-p2p-phyrs", "--out", Path.Combine(_dir, "p2p"), "--format", "json");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("\"output_entries\": 1", r.Stdout);
    }

    [Theory]
    [InlineData("cpus = 2\ngup.batchsize = 16\n", ":2: unknown key 'gup.batchsize'")]
    [InlineData("gup { batch = sixteen }\n", ":1: gup.batch: 'sixteen' is not a whole number")]
    [InlineData("backing = anon-8k\n", ":1: backing: 'anon-8k' is not one of anon-4k, thp, hugetlb-2m, hugetlb-1g, device")]
    [InlineData("region = 3K\n", ":1: region: must be a positive multiple of the anon-4k page size (4096 bytes)")]
    [InlineData("backing = hugetlb-1g\nregion = 1M\n", ":2: region: must be a positive multiple of the hugetlb-1g page size")]
    [InlineData("gup {\n  batch = 16\n", "'gup' is missing its closing '}'")]
    [InlineData("cpus = \n", ":1: 'cpus' has no value")]
    [InlineData("cpus = 2\ncpus = 3\n", ":2: 'cpus' is given twice")]
    [InlineData("device = nvme\ngup.walk = locked\n", ":2: gup.walk: O_DIRECT pins its buffers with the fast (lockless) walk")]
    [InlineData("gup.batch = unlimitted\n", ":1: gup.batch: 'unlimitted' is not a whole number or unlimited")]
    [InlineData("cpus = 0\n", ":1: cpus: 0 is not between 1 and 4096")]
    [InlineData("layout.fragmentation = 2\n", ":1: layout.fragmentation: '2' is not a number between 0 and 1")]
    [InlineData("name = \"unclosed\n", ":1: a quoted value is not closed on its line")]
    [InlineData("device = vfio\niommu.mode = passthrough\n", ":2: iommu.mode: VFIO needs a translating IOMMU domain")]
    [InlineData("gup.call = pin_user_pages\ndma.strategy = phyr-native\n", ":2: dma.strategy: the phyr strategies map phyrs: they need gup.call = get_user_phyrs")]
    [InlineData("dma.strategy = legacy\n", ":1: dma.strategy: legacy maps a page array: it needs gup.call = pin_user_pages")]
    [InlineData("device = gpu\n", ":1: device: 'gpu' is not one of rdma, vfio, nvme")]
    [InlineData("nvme.queue-depth = 4\n", ":1: nvme.queue-depth: only applies with device = nvme")]
    [InlineData("device = nvme\nregion = 1G\n", ":2: region: is io-size x queue-depth with device = nvme")]
    [InlineData("device = nvme\nnvme.io-size = 1000\n", ":2: nvme.io-size: must be a multiple of 4K")]
    [InlineData("backing = thp\nregion = 2M\nlayout.pfns = frames.pfn\n", ":3: layout.pfns: gives 4 KiB frames: use it with backing = anon-4k")]
    [InlineData("features.hugetlb-head-refcount = sometimes\n", ":1: features.hugetlb-head-refcount: 'sometimes' is not true or false")]
    public void Bad_scenario_files_name_the_line_and_key_and_exit_2(string body, string expected)
    {
        var file = Scenario(body);
        var outDir = Path.Combine(_dir, "bad");
        var r = CliRunner.Run("run", file, "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains(expected, r.Stderr);
        Assert.False(Directory.Exists(outDir), "nothing is written for a bad scenario");
    }

    [Fact]
    public void A_missing_scenario_and_bad_options_exit_2()
    {
        var missing = CliRunner.Run("run", "no-such-scenario");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("'no-such-scenario' is neither a file nor a name in config/experiments or config/scenarios", missing.Stderr);
        Assert.Contains("gup-phyrs-1g-4k-b16", missing.Stderr); // lists the shipped ones
        var bad = CliRunner.Run("run", Scenario(Small), "--parallelism", "0");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--parallelism: must be at least 1", bad.Stderr);
    }

    [Fact]
    public void Hostile_files_and_work_that_cannot_fit_end_in_one_line_and_exit_2()
    {
        File.WriteAllText(Path.Combine(_dir, "words.pfn"), "root:x:0:0:root:/root:/bin/bash\n");
        var cases = new (string[] Args, string Expected)[]
        {
            // A scenario whose pfn file is not one; a device with no end; a NUL; a line with no end.
            (["run", Scenario("layout.pfns = words.pfn\n")], "layout.pfns: " + Path.Combine(_dir, "words.pfn") + ":1: 'root:x:0:0:root:/root:/bin/bash' is not a frame number"),
            (["run", Scenario("layout.pfns = /dev/zero\n")], "layout.pfns: /dev/zero:1: holds a NUL byte: not a text pfn file"),
            (["run", "/dev/zero"], "/dev/zero:1: holds a NUL byte: not a text scenario file"),
            (["layout", "--pfns", "/dev/zero"], "--pfns: /dev/zero:1: holds a NUL byte"),
            (["gup-test", "--cost-model", "/dev/zero"], "--cost-model: /dev/zero:1: holds a NUL byte"),
            (["run", Scenario(new string('x', 300 * 1024))], "larger than 256 KiB: too large for a scenario file"),
            (["layout", "--generate", "100000000000"], "--generate: 100000000000 frames is more than 268435456"),
            // More than any machine holds (4096 CPUs x 1 TiB): refused before it starts, not killed by the kernel.
            (["run", Scenario("cpus = 4096\nregion = 1T\n")], "the run needs about 19.5 TiB of memory (4096 CPU(s) x 1 TiB of anon-4k)"),
        };
        foreach (var (args, expected) in cases)
        {
            var r = CliRunner.Run(args);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}: {r.Stderr}");
            Assert.Single(r.StderrLines);
            Assert.Contains(expected, r.Stderr);
        }
    }

    [Fact]
    public void Control_characters_of_a_bad_input_are_shown_not_sent_to_the_terminal()
    {
        // A file holding one is not text; an argument carrying one is quoted with it escaped.
        var file = CliRunner.Run("run", Scenario("region = \u001b[31mred\r\n"));
        Assert.Equal(2, file.ExitCode);
        Assert.Contains(":1: holds the control character U+001B: not text", file.Stderr);
        var arg = CliRunner.Run("run", "no-such\u001b[2J\nscenario");
        Assert.Equal(2, arg.ExitCode);
        Assert.Single(arg.StderrLines);
        Assert.Contains("no-such\\u001b[2J\\u000ascenario", arg.Stderr);
        Assert.DoesNotContain('\u001b', arg.Stderr + file.Stderr);
    }

    [Fact]
    public void Max_memory_refuses_a_run_above_it_with_the_estimate_and_lets_one_below_it_run()
    {
        var file = Scenario("region = 1G\n");
        // 256 MB and 12 + 15 x 0.5 bytes for each of 262,144 pages (fragmentation 0.5): 261 MiB.
        var refused = CliRunner.Run("run", file, "--max-memory", "260M", "--out", Path.Combine(_dir, "refused"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("the run needs about 261 MiB of memory (1 CPU(s) x 1 GiB of anon-4k) and --max-memory is 260 MiB", refused.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "refused")));
        Assert.Equal(0, CliRunner.Run("run", Scenario(Small), "--max-memory", "2G", "--out", Path.Combine(_dir, "ran")).ExitCode);
        Assert.Contains("--max-memory: 'lots' is not a byte count", CliRunner.Run("run", file, "--max-memory", "lots").Stderr);
    }
}

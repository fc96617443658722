using System.Text.Json;

namespace Phyr.Host.Tests;

/// <summary>`phyr bench engine` runs and reports its fields; its speed is a benchmark's business, not a test's.</summary>
public class BenchCommandTests
{
    [Fact]
    public void Bench_engine_reports_the_required_fields()
    {
        var r = CliRunner.Run("bench", "engine", "--format", "json", "--cpus", "4", "--locks", "2", "--iterations", "20",
            "--repeats", "1", "--idle-components", "100", "--threads", "2");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        // Speeds depend on the machine and its load: only that they are reported, as numbers, is tested.
        foreach (var field in new[] { "engine_events_per_s", "raw_akka_msgs_per_s", "ratio", "speedup_vs_1_thread" })
            Assert.True(root.GetProperty(field).GetDouble() >= 0, field);
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.Equal(4 * (1 + 20 * 3), root.GetProperty("engine_events").GetInt64());
        Assert.Equal(100, root.GetProperty("idle_components").GetInt32());
        Assert.Contains("bench engine: repeat 1/1", r.Stderr);
    }

    [Theory]
    [InlineData("--threads", "0", "--threads: '0' must be between 1")]
    [InlineData("--cpus", "x", "--cpus: 'x' is not a non-negative whole number")]
    [InlineData("--format", "yaml", "--format: 'yaml' is not one of table, json")]
    public void Bad_bench_options_exit_2(string option, string value, string expected)
    {
        var r = CliRunner.Run("bench", "engine", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
    }

    [Theory]
    [InlineData("--sizes", "3M", "--sizes: give sizes of whole GiB, at most 1T")]
    [InlineData("--sizes", "2T", "--sizes: give sizes of whole GiB, at most 1T")]
    [InlineData("--fragmentation", "2", "--fragmentation")]
    public void Bad_bench_scale_options_exit_2_before_running_anything(string option, string value, string expected)
    {
        var r = CliRunner.Run("bench", "scale", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains(expected, r.Stderr);
    }

    /// <summary>A peak of 15 GB has no padding after VmHWM's tab: it read as "kB" once (the 1 TiB row).</summary>
    [Fact]
    public void Bench_scale_reads_the_peak_from_proc_status_lines_of_any_width()
    {
        Assert.Equal(15123872.0 * 1024, Phyr.Host.Bench.ScaleBenchmark.StatusBytes("VmHWM:\t15123872 kB"));
        Assert.Equal(1234.0 * 1024, Phyr.Host.Bench.ScaleBenchmark.StatusBytes("VmHWM:\t    1234 kB"));
    }
}

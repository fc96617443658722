using Phyr.Tests.Shared;
using System.Diagnostics;
using System.Text.Json;

namespace Phyr.Host.Tests;

public class LayoutCommandTests
{
    private static readonly string[] FormatNames =
    [
        "page-array", "scatterlist", "bio-vec", "phyr", "phys-vec", "pfn-batch", "phyr-list-packed", "power-of-two",
        "nvme-prp", "nvme-sgl",
    ];

    private static Dictionary<string, (long Entries, long Bytes)> Json(CliRunner.Result r)
    {
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var reps = doc.RootElement.GetProperty("representations").EnumerateArray().ToList();
        Assert.Equal(FormatNames, reps.Select(e => e.GetProperty("name").GetString()));
        foreach (var e in reps)
            Assert.Equal(["name", "entries", "bytes"], e.EnumerateObject().Select(p => p.Name));
        return reps.ToDictionary(e => e.GetProperty("name").GetString()!,
            e => (e.GetProperty("entries").GetInt64(), e.GetProperty("bytes").GetInt64()));
    }

    [Fact]
    public void Wilcox_example_one_phyr_four_power_of_two()
    {
        var reps = Json(CliRunner.Run("layout", "--runs", "3-10", "--page-size", "1G", "--format", "json"));
        Assert.Equal(1, reps["phyr"].Entries);
        Assert.Equal(4, reps["power-of-two"].Entries);
        Assert.Equal(16, reps["phyr"].Bytes);
        Assert.Equal(32, reps["power-of-two"].Bytes);
    }

    [Theory]
    [InlineData("pagemap-anon-64m-seq.pfn")]
    [InlineData("pagemap-anon-8m-random.pfn")]
    public void Real_pagemap_layouts_answer_for_all_ten_formats(string file)
    {
        var path = RepoPaths.Layout(file);
        var reps = Json(CliRunner.Run("layout", "--pfns", path, "--format", "json"));
        var pfns = File.ReadLines(path).Where(l => !l.StartsWith('#') && l.Trim().Length > 0).Select(ulong.Parse).ToList();
        var runs = 1 + Enumerable.Range(1, pfns.Count - 1).Count(i => pfns[i] != pfns[i - 1] + 1);
        Assert.Equal(pfns.Count, reps["page-array"].Entries);
        Assert.Equal(8L * pfns.Count, reps["page-array"].Bytes);
        Assert.Equal(runs, reps["phyr"].Entries);
        Assert.Equal(runs, reps["scatterlist"].Entries);
        Assert.Equal(pfns.Count, reps["nvme-prp"].Entries);
    }

    [Fact]
    public void Table_output_lists_every_format()
    {
        var r = CliRunner.Run("layout", "--runs", "0-1,3-4");
        Assert.Equal(0, r.ExitCode);
        foreach (var name in FormatNames) Assert.Contains(name, r.Stdout);
        Assert.Contains("2 physically contiguous runs", r.Stdout);
    }

    [Fact]
    public void Offset_length_and_max_segment_are_applied()
    {
        var reps = Json(CliRunner.Run("layout", "--runs", "0-7", "--offset", "100", "--length", "16K",
            "--max-segment", "8191", "--format", "json"));
        // 100 + 16384 bytes touch 5 pages; max_segment rounds down to 4096: one sg entry per page.
        Assert.Equal(5, reps["page-array"].Entries);
        Assert.Equal(5, reps["scatterlist"].Entries);
        Assert.Equal(1, reps["phyr"].Entries);
    }

    [Fact]
    public void Generated_layouts_are_deterministic_per_seed()
    {
        var a = CliRunner.Run("layout", "--generate", "5000", "--fragmentation", "35%", "--seed", "7", "--format", "json");
        var b = CliRunner.Run("layout", "--generate", "5000", "--fragmentation", "0.35", "--seed", "7", "--format", "json");
        var c = CliRunner.Run("layout", "--generate", "5000", "--fragmentation", "0.35", "--seed", "8", "--format", "json");
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(a.Stdout, b.Stdout);
        Assert.NotEqual(a.Stdout, c.Stdout);
        Assert.Equal(1, Json(CliRunner.Run("layout", "--generate", "100", "--fragmentation", "0", "--format", "json"))["phyr"].Entries);
        Assert.Equal(100, Json(CliRunner.Run("layout", "--generate", "100", "--fragmentation", "1", "--format", "json"))["phyr"].Entries);
    }

    [Fact]
    public void Help_describes_every_option()
    {
        var r = CliRunner.Run("layout", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var option in new[] { "--pfns", "--runs", "--generate", "--page-size", "--offset", "--length", "--max-segment", "--format" })
            Assert.Contains(option, r.Stdout);
    }

    [Fact]
    public void No_arguments_prints_help_and_fails()
    {
        var r = CliRunner.Run();
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("layout", r.Stdout);
    }

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["layout", "--pfns", "/no/such/file.pfn"], "--pfns: /no/such/file.pfn: no such pfn file" },
        { ["layout", "--runs", "3-x"], "--runs: 'x' is not a frame number" },
        { ["layout", "--runs", "10-3"], "--runs: range '10-3' ends before it starts" },
        { ["layout", "--runs", ""], "--runs: is empty" },
        { ["layout", "--runs", "0-3", "--offset", "abc"], "--offset: 'abc' is not a byte count" },
        { ["layout", "--runs", "0-3", "--offset", "16K"], "--offset: 16384 is not inside the layout (16384 bytes)" },
        { ["layout", "--runs", "0-3", "--length", "16385"], "--length: 16385 bytes from offset 0 goes past the end of the layout (16384 bytes)" },
        { ["layout", "--runs", "0-3", "--offset", "1", "--length", "16384"], "--length: 16384 bytes from offset 1 goes past the end" },
        { ["layout", "--runs", "0-3", "--length", "0"], "--length: must be at least 1 byte" },
        { ["layout", "--runs", "0-3", "--max-segment", "0"], "--max-segment: 0 is below one page" },
        { ["layout", "--runs", "0-3", "--max-segment", "4095"], "--max-segment: 4095 is below one page" },
        { ["layout", "--runs", "0-3", "--max-segment", "8G"], "--max-segment: 8589934592 does not fit the kernel's unsigned int" },
        { ["layout", "--runs", "0-3", "--page-size", "3K"], "--page-size: '3K' is not a page size" },
        { ["layout", "--runs", "0-3", "--format", "xml"], "--format: 'xml' is not one of table, json" },
        { ["layout"], "give the frames with one of --pfns FILE, --runs LIST or --generate N" },
        { ["layout", "--runs", "1", "--generate", "3"], "--generate: cannot be combined with --runs" },
        { ["layout", "--runs", "1", "--seed", "3"], "--seed: only applies with --generate" },
        { ["layout", "--generate", "0"], "--generate: must be at least 1 frame" },
        { ["layout", "--generate", "10", "--fragmentation", "1.5"], "--fragmentation: '1.5' is not between 0 and 1" },
        { ["layout", "--runs", "4503599627370496"], "--runs: frame 4503599627370496 of 4K is beyond the 52-bit physical address space" },
        { ["layout", "--runs", "1", "--bogus"], "phyr layout: Unrecognized command or argument '--bogus'" },
        { ["frobnicate"], "phyr: Unrecognized command or argument 'frobnicate'" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_one_line_naming_the_field_with_exit_code_2(string[] args, string expected)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains(expected, r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Bad_lines_in_a_pfn_file_name_file_and_line()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"phyr-bad-{Guid.NewGuid():N}.pfn");
        var empty = Path.Combine(Path.GetTempPath(), $"phyr-empty-{Guid.NewGuid():N}.pfn");
        try
        {
            File.WriteAllText(bad, "# header\n1\n2\nthree\n");
            File.WriteAllText(empty, "7\n18446744073709551615\n");
            var big = CliRunner.Run("layout", "--pfns", empty);
            Assert.Equal(2, big.ExitCode);
            Assert.Contains($"{empty}:2: frame 18446744073709551615 is beyond the 52-bit physical address space", big.Stderr);
            File.WriteAllText(empty, "# only a comment\n");
            var r = CliRunner.Run("layout", "--pfns", bad);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StderrLines);
            Assert.Contains($"{bad}:4: 'three' is not a frame number", r.Stderr);

            var e = CliRunner.Run("layout", "--pfns", empty);
            Assert.Equal(2, e.ExitCode);
            Assert.Contains("holds no frame numbers", e.Stderr);

            var d = CliRunner.Run("layout", "--pfns", Path.GetTempPath());
            Assert.Equal(2, d.ExitCode);
            Assert.Contains("is a directory", d.Stderr);
        }
        finally
        {
            File.Delete(bad);
            File.Delete(empty);
        }
    }

    [Fact]
    public void The_built_executable_runs_as_a_process()
    {
        // The real `phyr` binary next to this test: exit codes and streams as a shell sees them.
        var dll = Path.Combine(AppContext.BaseDirectory, "phyr.dll");
        var ok = RunProcess(dll, "layout --runs 3-10 --page-size 1G --format json");
        Assert.Equal(0, ok.Code);
        Assert.Contains("\"phyr\"", ok.Stdout);
        var bad = RunProcess(dll, "layout --runs 3-10 --max-segment 0");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--max-segment", bad.Stderr);
    }

    private static (int Code, string Stdout, string Stderr) RunProcess(string dll, string args)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "phyr did not finish in 60 s");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}

using System.Text.Json;
using Phyr.Domain.Config;
using Phyr.Host.Config;
using Phyr.Host.Validation;

namespace Phyr.Host.Tests;

/// <summary>`phyr validate` and the case files of config/validation.</summary>
public class ValidateCommandTests
{
    private static string CasesDir => Path.Combine(ConfigLibrary.ShippedRoot, "validation");

    [Fact]
    public void Every_case_names_a_machine_a_kernel_and_a_workload_and_never_a_cost()
    {
        var cases = ValidationRun.LoadAll(CasesDir);
        Assert.True(cases.Count >= 12, $"{cases.Count} cases");
        Assert.All(cases, c =>
        {
            Assert.Contains(c.Program, ValidationCase.Programs);
            Assert.NotEmpty(c.Figures);
            Assert.False(string.IsNullOrWhiteSpace(c.Source));
            Assert.False(string.IsNullOrWhiteSpace(c.Published));
        });
        // The file reader has no key for a cost: every key of every shipped case is one of the case keys.
        foreach (var file in Directory.GetFiles(CasesDir, "*.conf"))
            Assert.All(ConfFile.Parse(File.ReadAllText(file), file).Keys, key =>
                Assert.Matches("^(set|source|link|machine|kernel|workload|published|mechanism|known-miss|measure\\.[a-z-]+|features\\.[a-z-]+)$", key));
        // Fewer fitted parameters (KernelCode's cycle counts) than calibration figures, or the fit could match anything.
        var fitted = typeof(Phyr.Domain.Costs.KernelCode).GetProperties().Count(p => p.PropertyType == typeof(double));
        Assert.True(cases.Where(c => c.Set == ValidationSet.Calibration).Sum(c => c.Figures.Count) > fitted, $"{fitted} fitted parameters");
    }

    /// <summary>The keys every case needs, for a gup_test workload; the test adds the line it is about.</summary>
    private const string CaseHead = "set = validation\nsource = x\nmachine = x86-server\nkernel = 6.15\nworkload = \"gup_test -L\"\npublished = x\n";

    /// <summary>Runs validate on a case file of <paramref name="text"/>; returns the result and the file's path (deleted by then).</summary>
    private static (CliRunner.Result Result, string File) ValidateCase(string text)
    {
        var file = Path.Combine(Path.GetTempPath(), $"phyr-case-{Guid.NewGuid():N}.conf");
        try
        {
            File.WriteAllText(file, text);
            return (CliRunner.Run("validate", "--cases", file), file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_case_with_a_cost_is_refused_with_file_line_and_key()
    {
        var (r, file) = ValidateCase(CaseHead + "measure.get-us = 10\nmechanism = x\ngup.pin-atomic-ns = 3\n");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{file}:9: unknown key 'gup.pin-atomic-ns' (a case names a machine, a kernel and a workload, never a cost", r.Stderr);
    }

    [Fact]
    public void Validate_runs_every_case_and_the_calibration_holds()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"phyr-validate-{Guid.NewGuid():N}");
        try
        {
            var r = CliRunner.Run("validate", "--cases", CasesDir, "--out", outDir, "--format", "json");
            Assert.Equal(0, r.ExitCode);
            foreach (var f in new[] { "results.json", "report.md", "validation.png" }) Assert.True(File.Exists(Path.Combine(outDir, f)), f);
            using var doc = JsonDocument.Parse(r.Stdout);
            var figures = doc.RootElement.GetProperty("figures").EnumerateArray().ToList();
            var ratios = figures.Select(f => (Case: f.GetProperty("case").GetString()!, Set: f.GetProperty("set").GetString(), Ratio: f.GetProperty("ratio").GetDouble())).ToList();
            Assert.All(ratios.Where(x => x.Set == "calibration"), x => Assert.InRange(x.Ratio, 0.75, 1.25));
            // A miss is reported with its cause: every validation figure beyond ±35 % has its case's known-miss.
            var cases = ValidationRun.LoadAll(CasesDir).ToDictionary(c => c.Name);
            Assert.All(ratios.Where(x => x.Set == "validation" && Math.Abs(x.Ratio - 1) > 0.35), x =>
                Assert.False(string.IsNullOrWhiteSpace(cases[x.Case].KnownMiss), $"{x.Case}: ratio {x.Ratio} without a known-miss"));
            // Deterministic: the same case gives the same bytes.
            var one = Path.Combine(CasesDir, "li-zhe-longterm-hugetlb-2m-6.15.conf");
            Assert.Equal(CliRunner.Run("validate", "--cases", one, "--out", outDir, "--format", "json").Stdout,
                CliRunner.Run("validate", "--cases", one, "--out", outDir, "--format", "json").Stdout);
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }

    [Fact]
    public void A_measure_its_program_does_not_give_is_refused()
    {
        var (r, file) = ValidateCase(CaseHead + "measure.map-s = 1\nmechanism = x\n");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{file}:7: measure.map-s: gup_test does not give map-s (it gives get-us, put-us)", r.Stderr);
    }

    [Theory]
    [InlineData("qemu-vfio-pin 16 (4K)", 16UL << 30, "Anon4K", false)]
    [InlineData("qemu-vfio-pin 360 (THP prealloc)", 360UL << 30, "Thp", true)]
    [InlineData("qemu-vfio-pin 980 (HUGETLB prealloc)", 980UL << 30, "Hugetlb2M", true)]
    [InlineData("qemu-vfio-pin 128 (HUGETLB)", 128UL << 30, "Hugetlb2M", false)]
    public void A_guest_start_names_its_size_backing_and_whether_qemu_preallocated(string workload, ulong bytes, string backing, bool prealloc)
    {
        var w = QemuVfioPin.Parse(workload);
        Assert.Null(w.Problem);
        Assert.Equal((bytes, backing, prealloc), (w.Bytes, w.Backing.ToString(), w.Prealloc));
    }

    [Theory]
    [InlineData("qemu-vfio-pin 16 (THP later)", "'(THP later)' is not (BACKING) or (BACKING prealloc)")]
    [InlineData("qemu-vfio-pin 16 (HUGE)", "backing 'HUGE' is not 4K, THP, HUGETLB")]
    [InlineData("qemu-vfio-pin 2000 (THP)", "'2000' is not a size in GB between 1 and 1024")]
    public void A_guest_start_that_does_not_parse_is_refused_by_its_workload(string workload, string problem)
    {
        var head = CaseHead.Replace("workload = \"gup_test -L\"", $"workload = \"{workload}\"");
        var (r, file) = ValidateCase(head + "measure.pin-s = 1\nmechanism = x\n");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{file}:5: workload: {problem}", r.Stderr);
    }

    [Fact]
    public void Cases_run_at_once_give_the_same_bytes_as_one_after_another()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"phyr-cases-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var name in new[] { "iommupt-amdv1-map-212-6.19", "li-zhe-longterm-hugetlb-2m-6.16", "daniel-jordan-rfc-intel-hugetlb-16g" })
                File.Copy(Path.Combine(CasesDir, name + ".conf"), Path.Combine(dir, name + ".conf"));
            var one = CliRunner.Run("validate", "--cases", dir, "--out", Path.Combine(dir, "1"), "--format", "json", "--parallelism", "1");
            var three = CliRunner.Run("validate", "--cases", dir, "--out", Path.Combine(dir, "3"), "--format", "json", "--parallelism", "3");
            Assert.Equal(0, one.ExitCode);
            Assert.Equal(one.Stdout, three.Stdout);
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "1", "report.md")), File.ReadAllText(Path.Combine(dir, "3", "report.md")));
            Assert.Equal(3, JsonDocument.Parse(one.Stdout).RootElement.GetProperty("figures").GetArrayLength() - 1); // the hugetlb case has two figures
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Bad_options_name_themselves()
    {
        var r = CliRunner.Run("validate", "--cases", "/nonexistent/dir");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--cases: /nonexistent/dir: no such directory or file", r.Stderr);
        Assert.Equal(2, CliRunner.Run("validate", "--set", "both").ExitCode);
        var none = CliRunner.Run("validate", "--parallelism", "0");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--parallelism: must be at least 1", none.Stderr);
    }
}

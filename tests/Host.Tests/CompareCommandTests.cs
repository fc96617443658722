namespace Phyr.Host.Tests;

public class CompareCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"phyr-cmp-{Guid.NewGuid():N}");

    public CompareCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Run(string name, string body, params string[] extra)
    {
        var file = Path.Combine(_dir, name + ".conf");
        File.WriteAllText(file, body);
        var outDir = Path.Combine(_dir, name);
        Assert.Equal(0, CliRunner.Run(["run", file, "--out", outDir, .. extra]).ExitCode);
        return outDir;
    }

    private const string Scenario = "region = 4M\nlayout.fragmentation = 1\ngup { call = get_user_phyrs, walk = locked, batch = BATCH }\n";

    [Fact]
    public void Two_scenario_runs_differ_where_the_model_says()
    {
        var a = Run("b16", Scenario.Replace("BATCH", "16"));
        var b = Run("b512", Scenario.Replace("BATCH", "512"));
        var r = CliRunner.Run("compare", a, b, "--format", "json");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("\"metric\": \"gup_calls\"", r.Stdout);
        Assert.Contains("\"a\": 64", r.Stdout);   // 1024 scattered pages: 64 calls of 16 phyrs
        Assert.Contains("\"b\": 2", r.Stdout);    // and 2 of 512
    }

    [Fact]
    public void The_same_run_twice_has_no_difference()
    {
        var a = Run("x", Scenario.Replace("BATCH", "16"));
        var b = Run("y", Scenario.Replace("BATCH", "16"), "--parallelism", "1");
        var r = CliRunner.Run("compare", a, b);
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^\d+ metrics compared, 0 differ", r.Stdout);
    }

    [Fact]
    public void Experiments_are_compared_point_by_point_and_missing_points_are_listed()
    {
        File.WriteAllText(Path.Combine(_dir, "base.conf"), Scenario.Replace("BATCH", "16"));
        var a = Run("e1", "scenario = base.conf\naxes { gup.batch = \"16, 512\" }\n");
        var b = Run("e2", "scenario = base.conf\naxes { gup.batch = \"16, 64\" }\n");
        var r = CliRunner.Run("compare", a, b);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("only in A: gup.batch=512, rep 0", r.Stdout);
        Assert.Contains("only in B: gup.batch=64, rep 0", r.Stdout);
    }

    [Fact]
    public void Bad_folders_are_refused()
    {
        var missing = CliRunner.Run("compare", Path.Combine(_dir, "none"), _dir);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("DIR_A:", missing.Stderr);
        File.WriteAllText(Path.Combine(_dir, "results.json"), "{ not json");
        var broken = CliRunner.Run("compare", _dir, _dir);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("not a phyr results file", broken.Stderr);
    }
}

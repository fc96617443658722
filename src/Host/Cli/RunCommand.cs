using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Config;
using Phyr.Domain.Costs;
using Phyr.Domain.Experiments;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;
using Phyr.Host.Config;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>`phyr run SCENARIO`: one scenario on the simulated machine, results to DIR/results.json.</summary>
public static class RunCommand
{
    private static readonly Argument<string> Scenario = new("SCENARIO")
    {
        Description = "A scenario or experiment file (.conf), or the name of one in config/experiments/ or config/scenarios/ " +
                      "(e.g. batch-sweep, rdma-register-1g-4k-b16).",
    };

    private static readonly Option<string?> Seed = new("--seed") { Description = "Run seed. Default 1.", HelpName = "N" };
    private static readonly Option<string?> Out = new("--out") { Description = "Folder for results.json. Default out/<scenario>.", HelpName = "DIR" };
    private static readonly Option<string?> MaxMemory = new("--max-memory")
    {
        Description = "Refuse a run whose estimated memory (docs/scenarios.md, Input limits) is above this many bytes (e.g. 4G). Default: four fifths of the machine's.",
        HelpName = "BYTES",
    };

    private static readonly Option<string?> Parallelism = new("--parallelism")
    {
        Description = "Host threads and engine partitions (a scenario uses at most one partition per simulated CPU; an experiment runs N points at once). Default: the machine's cores. Results do not depend on it.",
        HelpName = "N",
    };
    private static readonly Option<string?> Format = new("--format") { Description = "Output: table (default) or json.", HelpName = "table|json" };
    private static readonly Option<string?> CostModel = new("--cost-model")
    {
        Description = "A cost-model file overriding the costs the machine gives (what-if; keys: docs/gup-test.md).", HelpName = "FILE",
    };

    private static readonly Option<string?> Cluster = new("--cluster")
    {
        Description = "Run the experiment on a running `phyr serve`: the HTTP address of a node, or the cluster's seed nodes " +
                      "(akka.tcp://phyr-service@HOST:PORT, comma-separated; a node's API is found through them). " +
                      "Follows it, and writes its results here when it ends.",
        HelpName = "URL|SEEDS",
    };
    private static readonly Option<string?> Token = new("--token") { Description = "With --cluster: the host's API token (or PHYR_ApiToken).", HelpName = "TOKEN" };

    public static Command Create()
    {
        var command = new Command("run",
            "Run one scenario: a process whose threads pin their regions batch by batch (pin_user_pages or get_user_phyrs), " +
            "contending for page-table locks and mmap_lock in virtual time. Writes DIR/results.json: metrics (byte-identical " +
            "for any --parallelism), errors, and host figures apart. Keys of scenario files: docs/scenarios.md.");
        command.Arguments.Add(Scenario);
        foreach (var o in new[] { Seed, Out, Parallelism, Format, CostModel, MaxMemory, Cluster, Token }) command.Options.Add(o);
        command.SetAction(Execute);
        return command;
    }

    /// <summary>A path as given, else a name in ./config or the shipped config (<see cref="ConfigLibrary.Cli"/>), experiments first.</summary>
    public static string Resolve(string name, params string[] kinds)
    {
        kinds = kinds.Length == 0 ? [ConfigLibrary.Experiments, ConfigLibrary.Scenarios] : kinds;
        return ConfigLibrary.Cli.Find(name, kinds) ?? throw new UsageException("SCENARIO",
            $"'{name}' is neither a file nor a name in config/{string.Join(" or config/", kinds)} (known: {string.Join(", ", kinds.SelectMany(ConfigLibrary.Names).Order())})");
    }

    /// <summary>--max-memory, when given.</summary>
    private static ulong? Limit(ParseResult parse) => parse.GetValue(MaxMemory) is { } m ? OptionValues.Bytes("--max-memory", m) : null;

    private static int Execute(ParseResult parse)
    {
        _ = Limit(parse); // a bad --max-memory is refused before anything runs
        var seed = parse.GetValue(Seed) is { } s ? OptionValues.Count("--seed", s) : 1UL;
        var parallelism = parse.GetValue(Parallelism) is { } p ? (int)Math.Clamp(OptionValues.Count("--parallelism", p), 0, 4096) : Environment.ProcessorCount;
        if (parallelism < 1) throw new UsageException("--parallelism", "must be at least 1");
        var json = parse.GetValue(Format) is { } f &&
                   OptionValues.OneOf("--format", f, new Dictionary<string, bool> { ["table"] = false, ["json"] = true });

        CostOverrides costs;
        try
        {
            costs = parse.GetValue(CostModel) is { } cm ? CostModelFile.Load(cm) : CostOverrides.None;
        }
        catch (ConfException e)
        {
            throw new UsageException("--cost-model", e.Message);
        }
        var name = parse.GetValue(Scenario)!;
        if (parse.GetValue(Cluster) is { } cluster)
        {
            if (parse.GetValue(CostModel) is not null) throw new UsageException("--cost-model", "does not apply with --cluster (the host's costs apply)");
            // A shipped experiment goes by name (the host has it); a file goes as its text.
            var file = File.Exists(name);
            var experimentPath = Resolve(name, ConfigLibrary.Experiments);
            if (!ExperimentFile.LooksLikeExperiment(experimentPath))
                throw new UsageException("SCENARIO", $"{experimentPath} is not an experiment: --cluster runs experiments");
            Uri url;
            var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("PHYR_ApiToken");
            if (ClusterContact.IsSeedList(cluster))
            {
                (url, var needsToken) = ClusterContact.FindApi(cluster);
                parse.InvocationConfiguration.Error.WriteLine($"phyr run: the cluster at {cluster} takes requests at {url}");
                if (needsToken && string.IsNullOrEmpty(token))
                    throw new UsageException("--token", $"the cluster's API at {url} needs its token: give --token or PHYR_ApiToken");
            }
            else if (!Uri.TryCreate(cluster, UriKind.Absolute, out url!) || url.Scheme is not ("http" or "https"))
                throw new UsageException("--cluster", $"'{cluster}' is neither the http:// address of a phyr serve node nor seed nodes (akka.tcp://phyr-service@HOST:PORT)");
            return RemoteRun.Run(url, token,
                file ? ConfFile.ReadFile(experimentPath, "experiment") : Path.GetFileNameWithoutExtension(experimentPath), !file, seed, parse.GetValue(Out), json,
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        }
        if (name == "calibration" && !File.Exists(name)) return RunCalibration(parse, costs, json);
        var path = Resolve(name);
        if (ExperimentFile.LooksLikeExperiment(path)) return RunExperiment(parse, path, seed, parallelism, json, costs);

        Scenario scenario;
        try
        {
            scenario = ScenarioFile.Load(path) with { CostOverrides = costs };
        }
        catch (ConfException e)
        {
            throw new UsageException("SCENARIO", e.Message);
        }
        if (MachineMemory.Problem([scenario], 1, Limit(parse)) is { } tooBig) throw new UsageException("SCENARIO", $"{path}: {tooBig}");
        if (Footprint.Notice([scenario]) is { } notice) parse.InvocationConfiguration.Error.WriteLine($"phyr run: {scenario.Name}: {notice}");
        var outDir = parse.GetValue(Out) ?? Path.Combine("out", scenario.Name);

        ScenarioResult result;
        using (var system = SimulationSystem.Create("phyr-run", parallelism))
        {
            try
            {
                result = ScenarioRunner.RunAsync(scenario, seed, system, SimulationSystem.Dispatcher(parallelism), parallelism)
                    .GetAwaiter().GetResult();
            }
            catch (ArgumentException e)
            {
                throw new UsageException("SCENARIO", e.Message);
            }
        }

        var document = ResultsJson.Scenario(result);
        Directory.CreateDirectory(outDir);
        var target = Path.Combine(outDir, "results.json");
        AtomicFile.Write(target, document);

        var output = parse.InvocationConfiguration.Output;
        if (json) output.WriteLine(document);
        else output.Write(ScenarioTable.Text(result, target));
        return ExitCodes.Ok;
    }

    private static int RunExperiment(ParseResult parse, string path, ulong seed, int parallelism, bool json, CostOverrides costs)
    {
        Experiment experiment;
        try
        {
            experiment = ExperimentFile.Load(path, seed, (name, dir) => ConfigLibrary.Cli.FindScenario(name, dir) ?? Resolve(name, ConfigLibrary.Scenarios));
            experiment = experiment with { Points = [.. experiment.Points.Select(p => p with { Scenario = p.Scenario with { CostOverrides = costs } })] };
        }
        catch (Exception e) when (e is ConfException or UsageException)
        {
            throw new UsageException("EXPERIMENT", e is UsageException u ? u.Problem : e.Message);
        }
        if (MachineMemory.Problem(experiment.Points.Select(p => p.Scenario), Math.Min(parallelism, experiment.Points.Count), Limit(parse)) is { } tooBig)
            throw new UsageException("EXPERIMENT", $"{path}: {tooBig}");
        var outDir = parse.GetValue(Out) ?? Path.Combine("out", experiment.Name);
        var error = parse.InvocationConfiguration.Error;
        error.WriteLine($"phyr run: {experiment.Name}: {experiment.Points.Count} points, {parallelism} at a time, results in {outDir}");
        if (Footprint.Notice([.. experiment.Points.Select(p => p.Scenario)], parallelism) is { } notice) error.WriteLine($"phyr run: {experiment.Name}: {notice}");

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop starting points; the finished ones are already on disk
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        IReadOnlyList<Phyr.Actors.Experiments.PointResult> done;
        try
        {
            using var system = SimulationSystem.Create("phyr-experiment", parallelism);
            done = Phyr.Actors.Experiments.ExperimentRunner.RunAsync(experiment, system, SimulationSystem.Dispatcher(parallelism), parallelism,
                (point, soFar) =>
                {
                    ExperimentFiles.Write(outDir, experiment, soFar, clock.Elapsed.TotalSeconds, parallelism);
                    var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / soFar.Count * (experiment.Points.Count - soFar.Count));
                    if (terminal)
                    {
                        // A bar redrawn in place on a terminal; plain lines when stderr is a file or a pipe.
                        const int width = 30;
                        var filled = width * soFar.Count / experiment.Points.Count;
                        error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {soFar.Count}/{experiment.Points.Count}" +
                                    $"  {clock.Elapsed:mm\\:ss} elapsed, ETA {eta:mm\\:ss}  ");
                        if (soFar.Count == experiment.Points.Count) error.WriteLine();
                        return;
                    }
                    error.WriteLine($"[{soFar.Count}/{experiment.Points.Count}] {point.Point.Label}: {Metric.SimTimeNs} " +
                                    $"{point.Result[Metric.SimTimeNs].ToString("#,0", CultureInfo.InvariantCulture)} " +
                                    $"({clock.Elapsed:mm\\:ss} elapsed, ETA {eta:mm\\:ss})");
                }, cancel.Token).GetAwaiter().GetResult();
        }
        catch (ArgumentException e)
        {
            throw new UsageException("EXPERIMENT", e.Message);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        ExperimentFiles.Write(outDir, experiment, done, clock.Elapsed.TotalSeconds, parallelism, plots: true);
        var output = parse.InvocationConfiguration.Output;
        if (json) output.WriteLine(File.ReadAllText(Path.Combine(outDir, "results.json")));
        else output.Write(ExperimentReport.Markdown(experiment, done));
        if (done.Count < experiment.Points.Count)
        {
            error.WriteLine($"phyr run: interrupted: {done.Count} of {experiment.Points.Count} points done, kept in {outDir}");
            return 130;
        }
        return ExitCodes.Ok;
    }

    /// <summary>`phyr run calibration`: simulated against published, exit 3 when any is off by more than 25 %.</summary>
    private static int RunCalibration(ParseResult parse, CostOverrides costs, bool json)
    {
        IReadOnlyList<Phyr.Actors.Calibration.CalibrationPoint> points;
        using (var system = SimulationSystem.Create("phyr-calibration", 1))
            points = Phyr.Actors.Calibration.CalibrationRun.RunAsync(system, SimulationSystem.Dispatcher(1), costs).GetAwaiter().GetResult();
        var tolerance = Phyr.Actors.Calibration.CalibrationRun.Tolerance;
        var output = parse.InvocationConfiguration.Output;
        if (json) output.WriteLine(CalibrationOutput.Json(points, tolerance));
        else output.Write(CalibrationOutput.Table(points, tolerance));
        return points.All(p => p.Within(tolerance)) ? ExitCodes.Ok : ExitCodes.OutOfTolerance;
    }
}

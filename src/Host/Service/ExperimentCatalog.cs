using System.Text.RegularExpressions;
using Phyr.Domain.Config;
using Phyr.Domain.Machines;
using Phyr.Domain.Experiments;
using Phyr.Host.Config;

namespace Phyr.Host.Service;

/// <summary>A submission the service refuses: the field and the problem (an HTTP 400).</summary>
public sealed class SubmissionException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}

/// <summary>
/// Turns what a client submits — a shipped experiment's name, or an experiment's text — into the experiment
/// to run, checking it whole. Submitted text may name only shipped scenarios and pfn files by bare name
/// (looked up in DATA_DIR/layouts, then the shipped data/layouts): nothing a request says makes the service
/// read a file it chose, nor write outside the data directory.
/// </summary>
public sealed class ExperimentCatalog(ServiceOptions options)
{
    /// <summary>The name request text goes by in messages ("experiment:3: axes.cpus: ...").</summary>
    public const string RequestSource = "experiment";

    public IReadOnlyList<string> ShippedExperiments => ConfigLibrary.Names(ConfigLibrary.Experiments);

    private readonly Dictionary<(string, bool, ulong), Experiment> _built = [];

    /// <summary>
    /// <see cref="Build"/>, remembering the last few: a worker node builds the same experiment for each of its
    /// points. Per catalog (per node: its data directory decides which layouts exist).
    /// </summary>
    public Experiment BuildCached(string source, bool shipped, ulong seed)
    {
        lock (_built)
            if (_built.TryGetValue((source, shipped, seed), out var e)) return e;
        var built = Build(source, shipped, seed);
        lock (_built)
        {
            if (_built.Count >= 16) _built.Clear();
            _built[(source, shipped, seed)] = built;
        }
        return built;
    }

    public Experiment Build(string source, bool shipped, ulong seed)
    {
        try
        {
            if (shipped)
            {
                var file = ConfigLibrary.Shipped.Find(source, ConfigLibrary.Experiments)
                    ?? throw new SubmissionException("experiment", $"'{source}' is not a shipped experiment (known: {string.Join(", ", ShippedExperiments)})");
                return ExperimentFile.Load(file, seed, (name, _) => ScenarioFileOf(name), ShippedMachine);
            }
            return ExperimentFile.Parse(source, RequestSource, Path.Combine(options.DataDir, "experiments"), seed,
                (name, _) => ScenarioFileOf(name), Pfns, ShippedMachine);
        }
        catch (ConfException e)
        {
            // "experiment:3: axes.cpus: ..." -> field "axes.cpus" where the message names one.
            var m = Regex.Match(e.Message, @"^[^:]*:(\d+): ([A-Za-z0-9.+_-]+): ");
            throw new SubmissionException(m.Success ? m.Groups[2].Value : "experiment", e.Message);
        }
    }

    private static string ScenarioFileOf(string name) => ConfigLibrary.Shipped.Find(name, ConfigLibrary.Scenarios)
        ?? throw new ArgumentException($"'{name}' is not a shipped scenario; the service reads no other files " +
                                       $"(known: {string.Join(", ", ConfigLibrary.Names(ConfigLibrary.Scenarios))})");

    /// <summary>A machine: a shipped profile by name (the service reads no machine files).</summary>
    private static MachineProfile ShippedMachine(ConfValue v) => MachineProfiles.Find(v.Text)
        ?? throw new ConfException($"{v.Source ?? RequestSource}:{v.Line}: machine: '{v.Text}' is not a shipped machine " +
                                   $"({string.Join(", ", MachineProfiles.All.Select(m => m.Name))}); the service reads no machine files");

    /// <summary>A pfn file: relative to a shipped file that names it, or a bare name in DATA_DIR/layouts or the shipped layouts.</summary>
    private string Pfns(ConfValue v)
    {
        if (v.Source is { } from && from != RequestSource)
            return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(from)) ?? ".", v.Text));
        return ConfigLibrary.FindLayout(v.Text, Path.Combine(options.DataDir, "layouts"))
               ?? throw new ConfException($"{RequestSource}:{v.Line}: layout.pfns: '{v.Text}' is not the name of a pfn file in the data directory's " +
                                          "layouts/ folder or the shipped layouts (paths are not accepted)");
    }
}

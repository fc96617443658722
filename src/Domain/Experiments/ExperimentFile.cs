using System.Globalization;
using Phyr.Domain.Config;
using Phyr.Domain.Randomness;
using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Experiments;

/// <summary>
/// Reads an experiment (.conf):
/// <code>
/// name = batch-sweep
/// scenario = rdma-register-1g-4k-b16     # the base: a scenario file or a name in config/scenarios
/// base { gup.walk = locked }              # optional overrides of the base's keys
/// axes {                                  # any scenario key, comma-separated values; the points are their product
///   gup.batch = "16, 64, 512"
///   cpus = "1, 4"
/// }
/// repetitions = 2                         # each point again with another derived seed
/// </code>
/// Every point's scenario is built and checked before anything runs: an unknown key, an empty axis or an
/// impossible value is one line naming the file, line and key.
/// </summary>
public static class ExperimentFile
{
    public const int MaxPoints = 100_000;

    public static bool LooksLikeExperiment(string path) =>
        File.Exists(path) && File.ReadLines(path).Any(l => l.TrimStart().StartsWith("axes", StringComparison.Ordinal));

    /// <param name="path">The experiment file.</param>
    /// <param name="seed">The run seed; each point's seed is derived from it and the point's axis values and repetition.</param>
    /// <param name="resolveScenario">Turns the `scenario` value (and the experiment's folder) into a file path.</param>
    public static Experiment Load(string path, ulong seed, Func<string, string, string> resolveScenario)
    {
        if (!File.Exists(path)) throw new ConfException($"{path}: no such experiment file");
        var conf = ConfFile.Parse(File.ReadAllText(path), path);
        foreach (var (key, v) in conf.OrderBy(kv => kv.Value.Line))
            if (key is not ("name" or "scenario" or "repetitions") && !key.StartsWith("base.", StringComparison.Ordinal) &&
                !key.StartsWith("axes.", StringComparison.Ordinal))
                throw new ConfException($"{path}:{v.Line}: unknown key '{key}' (an experiment has name, scenario, base {{ ... }}, axes {{ ... }}, repetitions)");
        if (!conf.TryGetValue("scenario", out var baseRef))
            throw new ConfException($"{path}: 'scenario' is missing: name the base scenario (a file, or a name in config/scenarios)");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string scenarioPath;
        try
        {
            scenarioPath = resolveScenario(baseRef.Text, dir);
        }
        catch (Exception e) when (e is not ConfException)
        {
            throw new ConfException($"{path}:{baseRef.Line}: scenario: {e.Message}");
        }
        var baseKeys = new Dictionary<string, ConfValue>(ScenarioFile.ReadKeys(scenarioPath));
        foreach (var (key, v) in conf.Where(kv => kv.Key.StartsWith("base.", StringComparison.Ordinal)))
            baseKeys[key["base.".Length..]] = v;

        var repetitions = 1;
        if (conf.TryGetValue("repetitions", out var rep) &&
            (!int.TryParse(rep.Text, NumberStyles.None, CultureInfo.InvariantCulture, out repetitions) || repetitions < 1 || repetitions > 1000))
            throw new ConfException($"{path}:{rep.Line}: repetitions: '{rep.Text}' is not a whole number between 1 and 1000");

        var axes = conf.Where(kv => kv.Key.StartsWith("axes.", StringComparison.Ordinal)).OrderBy(kv => kv.Value.Line)
            .Select(kv =>
            {
                var key = kv.Key["axes.".Length..];
                if (!ScenarioFile.Keys.ContainsKey(key))
                    throw new ConfException($"{path}:{kv.Value.Line}: axes.{key}: '{key}' is not a scenario key (known: {string.Join(", ", ScenarioFile.Keys.Keys)})");
                var values = kv.Value.Text.Split(',').Select(x => x.Trim()).ToList();
                if (values.Count == 0 || values.Any(x => x.Length == 0))
                    throw new ConfException($"{path}:{kv.Value.Line}: axes.{key}: give comma-separated values, none empty (e.g. \"16, 64, 512\")");
                if (values.Distinct().Count() != values.Count)
                    throw new ConfException($"{path}:{kv.Value.Line}: axes.{key}: a value is given twice");
                return (Key: key, Line: kv.Value.Line, Values: values);
            }).ToList();
        if (axes.Count == 0) throw new ConfException($"{path}: 'axes' is missing or empty: give at least one axis");

        var total = axes.Aggregate(1L, (n, a) => n * a.Values.Count) * repetitions;
        if (total > MaxPoints) throw new ConfException($"{path}: {total} points is more than {MaxPoints}");

        var name = conf.TryGetValue("name", out var nm) ? nm.Text : Path.GetFileNameWithoutExtension(path);
        var points = new List<ExperimentPoint>();
        foreach (var combination in Product(axes.Select(a => a.Values).ToList()))
        {
            var keys = new Dictionary<string, ConfValue>(baseKeys);
            var chosen = new List<(string, string)>();
            for (var i = 0; i < axes.Count; i++)
            {
                keys[axes[i].Key] = new ConfValue(combination[i], axes[i].Line, path);
                chosen.Add((axes[i].Key, combination[i]));
            }
            for (var r = 0; r < repetitions; r++)
            {
                var label = string.Join(",", chosen.Select(c => $"{c.Item1}={c.Item2}")) + $"/rep{r}";
                var scenario = ScenarioFile.FromConf(keys, path, dir) with { Name = $"{name}[{label}]" };
                points.Add(new ExperimentPoint(points.Count, chosen, r, SplitMix64.Derive(seed, label), scenario));
            }
        }
        return new Experiment(name, seed, axes.Select(a => a.Key).ToList(), repetitions, points);
    }

    private static IEnumerable<string[]> Product(List<List<string>> lists)
    {
        IEnumerable<string[]> result = [[]];
        foreach (var list in lists)
            result = result.SelectMany(prefix => list.Select(v => prefix.Append(v).ToArray()));
        return result;
    }
}

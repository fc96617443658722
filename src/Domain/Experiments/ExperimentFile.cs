using Phyr.Domain.Machines;
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
/// Keys that must move together are one axis, joined by '+': <c>dma.strategy+gup.call = "legacy+pin_user_pages,
/// phyr-native+get_user_phyrs"</c>. A value of <c>default</c> (in an axis or in <c>base</c>) takes the key out.
/// <c>invalid-points = skip</c> lists combinations the model refuses (with the reason) instead of failing.
/// Every point's scenario is built and checked before anything runs: an unknown key, an empty axis or an
/// impossible value is one line naming the file, line and key.
/// </summary>
public static class ExperimentFile
{
    public const int MaxPoints = 100_000;

    /// <summary>Whether the file at <paramref name="path"/> has an axes block (a file that cannot be read is left to the scenario reader to refuse).</summary>
    public static bool LooksLikeExperiment(string path)
    {
        try
        {
            return InputFile.ReadLines(path, "experiment", ConfFile.MaxFileBytes, int.MaxValue, p => new ConfException(p))
                .Any(l => l.Text.TrimStart().StartsWith("axes", StringComparison.Ordinal));
        }
        catch (ConfException)
        {
            return false;
        }
    }

    /// <param name="path">The experiment file.</param>
    /// <param name="seed">The run seed; each point's seed is derived from it and the point's axis values and repetition.</param>
    /// <param name="resolveScenario">Turns the `scenario` value (and the experiment's folder) into a file path.</param>
    /// <param name="resolveMachine">Turns a machine value into a profile (default: a shipped name or a machine file).</param>
    public static Experiment Load(string path, ulong seed, Func<string, string, string> resolveScenario, Func<ConfValue, MachineProfile>? resolveMachine = null)
    {
        return Parse(ConfFile.ReadFile(path, "experiment"), path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", seed, resolveScenario, resolveMachine: resolveMachine);
    }

    /// <summary>An experiment from its text (a file's, or a request's).</summary>
    /// <param name="text">The experiment.</param>
    /// <param name="path">Where it came from, for messages (and its default name).</param>
    /// <param name="dir">The folder relative references start from.</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="resolveScenario">Turns the `scenario` value (and <paramref name="dir"/>) into a file path.</param>
    /// <param name="resolvePfns">Turns a layout.pfns value into a path (default: relative to the file that names it).</param>
    /// <param name="resolveMachine">Turns a machine value into a profile (default: a shipped name or a machine file).</param>
    public static Experiment Parse(string text, string path, string dir, ulong seed, Func<string, string, string> resolveScenario,
        Func<ConfValue, string>? resolvePfns = null, Func<ConfValue, MachineProfile>? resolveMachine = null)
    {
        var conf = ConfFile.Parse(text, path);
        foreach (var (key, v) in conf.OrderBy(kv => kv.Value.Line))
            if (key is not ("name" or "scenario" or "repetitions" or "invalid-points") && !key.StartsWith("base.", StringComparison.Ordinal) &&
                !key.StartsWith("axes.", StringComparison.Ordinal))
                throw new ConfException($"{path}:{v.Line}: unknown key '{key}' (an experiment has name, scenario, base {{ ... }}, axes {{ ... }}, repetitions, invalid-points)");
        if (!conf.TryGetValue("scenario", out var baseRef))
            throw new ConfException($"{path}: 'scenario' is missing: name the base scenario (a file, or a name in config/scenarios)");
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
        {
            // `default` takes a key of the base scenario out here too.
            if (v.Text == Default) baseKeys.Remove(key["base.".Length..]);
            else baseKeys[key["base.".Length..]] = v;
        }

        var repetitions = 1;
        if (conf.TryGetValue("repetitions", out var rep) &&
            (!int.TryParse(rep.Text, NumberStyles.None, CultureInfo.InvariantCulture, out repetitions) || repetitions < 1 || repetitions > 1000))
            throw new ConfException($"{path}:{rep.Line}: repetitions: '{rep.Text}' is not a whole number between 1 and 1000");

        var skipInvalid = false;
        if (conf.TryGetValue("invalid-points", out var inv))
            skipInvalid = inv.Text switch
            {
                "error" => false,
                "skip" => true,
                _ => throw new ConfException($"{path}:{inv.Line}: invalid-points: '{inv.Text}' is not error or skip"),
            };

        var axes = conf.Where(kv => kv.Key.StartsWith("axes.", StringComparison.Ordinal)).OrderBy(kv => kv.Value.Line)
            .Select(kv => ReadAxis(path, kv.Key["axes.".Length..], kv.Value)).ToList();
        if (axes.Count == 0) throw new ConfException($"{path}: 'axes' is missing or empty: give at least one axis");
        var axisKeys = axes.SelectMany(a => a.Keys).ToList();
        if (axisKeys.Distinct().Count() != axisKeys.Count)
            throw new ConfException($"{path}: axes: '{axisKeys.GroupBy(k => k).First(g => g.Count() > 1).Key}' is swept by two axes");

        // Exact however many long axes there are: the product never wraps round to something small.
        var total = axes.Aggregate(new System.Numerics.BigInteger(repetitions), (n, a) => n * a.Values.Count);
        if (total > MaxPoints) throw new ConfException($"{path}: {total} points is more than {MaxPoints}");

        var name = conf.TryGetValue("name", out var nm) ? nm.Text : Path.GetFileNameWithoutExtension(path);
        var points = new List<ExperimentPoint>();
        var skipped = new List<SkippedPoint>();
        foreach (var combination in Product(axes.Select(a => a.Values).ToList()))
        {
            var keys = new Dictionary<string, ConfValue>(baseKeys);
            var chosen = new List<(string, string)>();
            for (var i = 0; i < axes.Count; i++)
                for (var k = 0; k < axes[i].Keys.Length; k++)
                {
                    var (key, value) = (axes[i].Keys[k], combination[i][k]);
                    // `default` takes the key out: the base scenario's own default applies.
                    if (value == Default) keys.Remove(key);
                    else keys[key] = new ConfValue(value, axes[i].Line, path);
                    chosen.Add((key, value));
                }
            Scenario built;
            try
            {
                built = ScenarioFile.FromConf(keys, path, dir, resolvePfns, resolveMachine);
            }
            catch (ConfException ex) when (skipInvalid)
            {
                // A combination the model refuses (e.g. a VFIO guest with a DMA strategy): listed, not run.
                skipped.Add(new SkippedPoint(chosen, System.Text.RegularExpressions.Regex.Replace(ex.Message, @"^.*?:\d+: ", "")));
                continue;
            }
            for (var r = 0; r < repetitions; r++)
            {
                var label = string.Join(",", chosen.Select(c => $"{c.Item1}={c.Item2}")) + $"/rep{r}";
                var scenario = built with { Name = $"{name}[{label}]" };
                points.Add(new ExperimentPoint(points.Count, chosen, r, SplitMix64.Derive(seed, label), scenario));
            }
        }
        if (points.Count == 0)
            throw new ConfException($"{path}: every combination of the axes is invalid, e.g. {skipped[0].Reason}");
        return new Experiment(name, seed, axisKeys, repetitions, points)
        {
            AxisGroups = [.. axes.Select(a => (IReadOnlyList<string>)a.Keys)],
            Skipped = skipped,
        };
    }

    /// <summary>The value that removes a key from a point (the scenario's default applies).</summary>
    public const string Default = "default";

    /// <summary>
    /// One axis: <c>key = "a, b"</c>, or coupled keys that move together, <c>k1+k2 = "a1+a2, b1+b2"</c>
    /// (e.g. <c>dma.strategy+gup.call = "legacy+pin_user_pages, phyr-native+get_user_phyrs"</c>).
    /// </summary>
    private static (string[] Keys, int Line, List<string[]> Values) ReadAxis(string path, string name, ConfValue v)
    {
        var keys = name.Split('+');
        foreach (var key in keys)
            if (!ScenarioFile.Keys.ContainsKey(key))
                throw new ConfException($"{path}:{v.Line}: axes.{name}: '{key}' is not a scenario key (known: {string.Join(", ", ScenarioFile.Keys.Keys)})");
        if (keys.Distinct().Count() != keys.Length) throw new ConfException($"{path}:{v.Line}: axes.{name}: a key is coupled with itself");
        var values = v.Text.Split(',').Select(x => x.Trim()).ToList();
        if (values.Count == 0 || values.Any(x => x.Length == 0))
            throw new ConfException($"{path}:{v.Line}: axes.{name}: give comma-separated values, none empty (e.g. \"16, 64, 512\")");
        if (values.Distinct().Count() != values.Count)
            throw new ConfException($"{path}:{v.Line}: axes.{name}: a value is given twice");
        var tuples = values.Select(x => x.Split('+').Select(t => t.Trim()).ToArray()).ToList();
        var bad = tuples.FindIndex(t => t.Length != keys.Length || t.Any(x => x.Length == 0));
        if (bad >= 0)
            throw new ConfException($"{path}:{v.Line}: axes.{name}: '{values[bad]}' does not give {keys.Length} values joined by '+' " +
                                    $"(one for each of {string.Join(", ", keys)})");
        return (keys, v.Line, tuples);
    }

    private static IEnumerable<string[][]> Product(List<List<string[]>> lists)
    {
        IEnumerable<string[][]> result = [[]];
        foreach (var list in lists)
            result = result.SelectMany(prefix => list.Select(v => prefix.Append(v).ToArray()));
        return result;
    }
}

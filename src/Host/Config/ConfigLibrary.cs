using System.Text.RegularExpressions;

namespace Phyr.Host.Config;

/// <summary>
/// Where Phyr finds scenarios, experiments and layouts by name — the one resolver the CLI and the service share. A
/// library is a list of roots searched in order: the CLI's is <c>./config</c> then the config shipped beside the
/// executable (<see cref="Cli"/>), and a name may also be a path; the service's is the shipped config alone
/// (<see cref="Shipped"/>), and a name must be bare — nothing a request says makes the service read a file it chose.
/// </summary>
public sealed partial class ConfigLibrary
{
    public const string Experiments = "experiments";
    public const string Scenarios = "scenarios";

    /// <summary>The config folder shipped beside the executable.</summary>
    public static readonly string ShippedRoot = Path.Combine(AppContext.BaseDirectory, "config");

    /// <summary>The layouts (pfn files) shipped beside the executable.</summary>
    public static readonly string ShippedLayouts = Path.Combine(AppContext.BaseDirectory, "data", "layouts");

    /// <summary>The CLI's: paths as given, then names in ./config, then in the shipped config.</summary>
    public static readonly ConfigLibrary Cli = new(["config", ShippedRoot], pathsAllowed: true);

    /// <summary>The service's: bare names of shipped files only.</summary>
    public static readonly ConfigLibrary Shipped = new([ShippedRoot], pathsAllowed: false);

    private readonly IReadOnlyList<string> _roots;
    private readonly bool _pathsAllowed;

    private ConfigLibrary(IReadOnlyList<string> roots, bool pathsAllowed)
    {
        _roots = roots;
        _pathsAllowed = pathsAllowed;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex BareNamePattern();

    /// <summary>A name that is a file name only: letters, digits, '.', '_', '-', never '..' (no path, no parent folder).</summary>
    public static bool IsBareName(string name) => BareNamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// The file <paramref name="name"/> stands for among <paramref name="kinds"/> (in order): with paths allowed, an
    /// existing file as given; else NAME or NAME.conf in each root's kind folder. Null when there is none.
    /// </summary>
    public string? Find(string name, params string[] kinds)
    {
        if (_pathsAllowed && File.Exists(name)) return name;
        if (!_pathsAllowed && !IsBareName(name)) return null;
        var file = name.EndsWith(".conf", StringComparison.Ordinal) ? name : name + ".conf";
        foreach (var kind in kinds)
            foreach (var root in _roots)
                if (File.Exists(Path.Combine(root, kind, file))) return Path.Combine(root, kind, file);
        return null;
    }

    /// <summary>
    /// An experiment's <c>scenario = NAME</c>: with paths allowed, a file beside the experiment
    /// (<paramref name="experimentDir"/>) first; then a scenario of the library. Null when there is none.
    /// </summary>
    public string? FindScenario(string name, string experimentDir) =>
        _pathsAllowed && File.Exists(Path.Combine(experimentDir, name)) ? Path.Combine(experimentDir, name) : Find(name, Scenarios);

    /// <summary>The shipped names of a kind, sorted (for "known: ..." in messages).</summary>
    public static IReadOnlyList<string> Names(string kind) => Directory.Exists(Path.Combine(ShippedRoot, kind))
        ? [.. Directory.GetFiles(Path.Combine(ShippedRoot, kind), "*.conf").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>A layout (pfn file) by bare name: in <paramref name="dataLayouts"/> first (a service's data directory), then the shipped ones.</summary>
    public static string? FindLayout(string name, string dataLayouts)
    {
        if (!IsBareName(name)) return null;
        foreach (var dir in new[] { dataLayouts, ShippedLayouts })
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }
}

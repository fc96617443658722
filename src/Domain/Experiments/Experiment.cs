using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Experiments;

/// <summary>One point of an experiment: its axis values, repetition, derived seed, and the scenario it runs.</summary>
public sealed record ExperimentPoint(int Index, IReadOnlyList<(string Key, string Value)> Axes, int Repetition, ulong Seed, Scenario Scenario)
{
    public string Label => string.Join(", ", Axes.Select(a => $"{a.Key}={a.Value}")) + (Repetition > 0 ? $", rep {Repetition}" : "");
}

/// <summary>A sweep: a base scenario, axes over scenario keys, repetitions — every point built and validated.</summary>
public sealed record Experiment(string Name, ulong Seed, IReadOnlyList<string> AxisKeys, int Repetitions, IReadOnlyList<ExperimentPoint> Points)
{
    /// <summary>The axes as swept: each a key, or keys coupled with '+' that move together. Defaults to a key per axis.</summary>
    public IReadOnlyList<IReadOnlyList<string>> AxisGroups { get; init; } = [.. AxisKeys.Select(k => (IReadOnlyList<string>)[k])];

    /// <summary>Combinations not run because the model refuses them (with <c>invalid-points = skip</c>).</summary>
    public IReadOnlyList<SkippedPoint> Skipped { get; init; } = [];
}

/// <summary>A combination of axis values that is not a valid scenario, and why.</summary>
public sealed record SkippedPoint(IReadOnlyList<(string Key, string Value)> Axes, string Reason)
{
    public string Label => string.Join(", ", Axes.Select(a => $"{a.Key}={a.Value}"));
}

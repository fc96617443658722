using Akka.Actor;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Drivers;
using Phyr.Domain.Results;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Testing;

/// <summary>
/// The scenario test kit: a simulated machine built from a <see cref="Scenario"/> written in code, run on
/// an actor system you give it — a TestKit's <c>Sys</c> — with its metrics, digest, errors and per-thread
/// times to assert on. docs/test-kit.md has a complete example.
/// </summary>
/// <example>
/// <code>
/// var run = new SimulatedMachine(new Scenario { Name = "b16", RegionBytes = 4 &lt;&lt; 20, Batch = 16 }).Run(Sys);
/// Assert.Equal(0, run[Metric.InvariantViolations]);
/// </code>
/// </example>
/// <param name="rig">
/// A device of the suite's own, beside the shipped ones: a new rig for each run (an <see cref="Machines.IRig"/>, most
/// simply a <see cref="Machines.RegionRig{TFlow}"/> whose threads run a driver flow of your own, a
/// <see cref="Domain.Drivers.RegionFlow{TSelf}"/>). The machine's own parts — the mm, its locks, the cost model — are
/// the scenario's; metrics, invariants and determinism are the same as for a shipped rig. Null: the scenario's device.
/// </param>
public sealed class SimulatedMachine(Scenario scenario, ulong seed = 1, int partitions = 1, Func<Scenario, Machines.IRig>? rig = null)
{
    public Scenario Scenario { get; } = scenario;
    public ulong Seed { get; } = seed;
    public int Partitions { get; } = partitions;

    /// <summary>The same machine with a changed scenario (e.g. <c>m.With(s => s with { Batch = 512 })</c>).</summary>
    public SimulatedMachine With(Func<Scenario, Scenario> change) => new(change(Scenario), Seed, Partitions, rig);

    /// <summary>The same machine with a device of your own (<paramref name="device"/> makes its rig for each run).</summary>
    public SimulatedMachine WithRig(Func<Scenario, Machines.IRig> device) => new(Scenario, Seed, Partitions, device);

    /// <summary>Runs the machine on <paramref name="system"/>; fails after <paramref name="timeout"/> (default one minute of host time).</summary>
    public async Task<MachineRun> RunAsync(ActorSystem system, string? dispatcher = null, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        var result = await ScenarioRunner.RunAsync(Scenario, Seed, system, dispatcher, Partitions, cancel.Token, rig?.Invoke(Scenario)).ConfigureAwait(false);
        return new MachineRun(result);
    }

    public MachineRun Run(ActorSystem system, string? dispatcher = null, TimeSpan? timeout = null) =>
        RunAsync(system, dispatcher, timeout).GetAwaiter().GetResult();
}

/// <summary>What a <see cref="SimulatedMachine"/> run gave: every metric, the event digest, errors, thread times, each resource's own metrics.</summary>
public sealed record MachineRun(ScenarioResult Result)
{
    /// <summary>A metric of the catalogue (<see cref="Metric"/>; docs/scenarios.md lists them).</summary>
    public double this[Metric metric] => this[metric.Name];

    /// <summary>A metric by name; an unknown name throws, listing the known ones.</summary>
    public double this[string metric] => Metrics.TryGetValue(metric, out var v)
        ? v
        : throw new KeyNotFoundException($"no metric '{metric}' (known: {string.Join(", ", Metrics.Keys)})");

    public IReadOnlyDictionary<string, double> Metrics { get; } = Result.Metrics.ToDictionary(m => m.Name, m => m.Value);

    /// <summary>Equal digests: the same events in the same order (compare runs, partition counts, code versions).</summary>
    public ulong Digest => Result.Digest;

    public IReadOnlyList<string> Errors => Result.Errors;
    public IReadOnlyList<ThreadTimes> Threads => Result.Threads;

    /// <summary>Every contended resource's acquisitions, waits and holds: locks, lines, and queued servers (the IOVA rbtree lock, the invalidation queue, the NIC's command engine, the PCIe link).</summary>
    public IReadOnlyList<ResourceMetricsSnapshot> Resources => Result.Resources ?? [];

    /// <summary>Throws, with what went wrong, if the run reported errors or broke an invariant.</summary>
    public MachineRun EnsureClean()
    {
        if (Errors.Count > 0) throw new InvalidOperationException($"the run reported errors: {string.Join("; ", Errors)}");
        if (this[Metric.InvariantViolations] != 0)
            throw new InvalidOperationException($"{this[Metric.InvariantViolations]} invariant violations (see docs/scenarios.md, '{Metric.InvariantViolations}')");
        return this;
    }
}

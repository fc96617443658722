using Stopwatch = System.Diagnostics.Stopwatch;
using Akka.Actor;
using Phyr.Actors.Engine;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Scenarios;

/// <summary>Runs a <see cref="Scenario"/>: builds its machine (<see cref="Machines.Machine"/>), runs it on the actor system, reads its result.</summary>
public static class ScenarioRunner
{
    /// <param name="rig">The device side of the machine: a rig of the suite's own (a user's driver or device), else the scenario's.</param>
    public static async Task<ScenarioResult> RunAsync(Scenario s, ulong seed, ActorSystem system, string? dispatcher, int parallelism,
        CancellationToken cancel = default, Machines.IRig? rig = null)
    {
        var net = s.Costs.Interconnect(s.CpusPerSocket);
        // At most a partition per simulated CPU: one CPU's work happens in sequence, and a second partition would only add
        // rounds (a 16 GiB VFIO guest: 2.3 s on one, 4.5 s on two). The result does not depend on the count.
        var partitions = Math.Clamp(s.Cpus, 1, Math.Max(1, parallelism));
        var sim = new Simulation(new SimulationOptions { Seed = seed, Partitions = partitions, Lookahead = net.LinkLatencyNs });
        var machine = Machines.Machine.Build(s, seed, sim, rig);
        var clock = Stopwatch.StartNew();
        var run = await sim.RunAsync(system, dispatcher, cancel).ConfigureAwait(false);
        return machine.Read(seed, run, new HostFigures(clock.Elapsed.TotalSeconds, parallelism, run.Execution.Partitions, run.Execution.Rounds, run.Events));
    }
}

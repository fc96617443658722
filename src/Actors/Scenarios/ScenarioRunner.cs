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
        var sim = new Simulation(new SimulationOptions { Seed = seed, Partitions = parallelism, Lookahead = net.LinkLatencyNs });
        var machine = Machines.Machine.Build(s, seed, sim, rig);
        var clock = Stopwatch.StartNew();
        var run = await sim.RunAsync(system, dispatcher, cancel).ConfigureAwait(false);
        return machine.Read(seed, run, new HostFigures(clock.Elapsed.TotalSeconds, parallelism, run.Execution.Partitions, run.Execution.Rounds, run.Events));
    }
}

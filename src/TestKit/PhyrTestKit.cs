using Phyr.Domain.Scenarios;
using Xunit.Abstractions;

namespace Phyr.Actors.Testing;

/// <summary>
/// A base class for a suite of simulated machines: an Akka.TestKit (xUnit v2) whose <c>Run</c> builds a machine
/// from a scenario written in code and runs it on the suite's actor system (<c>Sys</c>). The same as
/// <see cref="SimulatedMachine"/> (which a suite may use directly), one call shorter.
/// </summary>
public abstract class PhyrTestKit : Akka.TestKit.Xunit2.TestKit
{
    /// <param name="output">xUnit's output, for the actor system's log (optional).</param>
    protected PhyrTestKit(ITestOutputHelper? output = null) : base(config: (Akka.Configuration.Config?)null, output: output)
    {
    }

    /// <summary>Runs <paramref name="scenario"/> with <paramref name="seed"/> on this suite's actor system.</summary>
    protected MachineRun Run(Scenario scenario, ulong seed = 1, int partitions = 1) => new SimulatedMachine(scenario, seed, partitions).Run(Sys);

    /// <summary>Runs <paramref name="scenario"/> with a device of the suite's own (<paramref name="device"/> makes its rig).</summary>
    protected MachineRun Run(Scenario scenario, Func<Scenario, Machines.IRig> device, ulong seed = 1, int partitions = 1) =>
        new SimulatedMachine(scenario, seed, partitions, device).Run(Sys);
}

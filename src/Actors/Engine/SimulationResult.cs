using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Engine;

/// <summary>
/// The outcome of a run. Everything here except <see cref="Execution"/> is a function of the model,
/// the seed and the options that affect results: identical for any partition or thread count.
/// </summary>
public sealed record SimulationResult(
    long EndTime,
    long Events,
    ulong Digest,
    IReadOnlyList<ResourceMetricsSnapshot> Resources,
    ExecutionStats Execution);

/// <summary>How the run was executed: depends on partitions (and so is kept apart from results).</summary>
public sealed record ExecutionStats(int Partitions, long Rounds, long CrossPartitionEvents, long ControlMessages, long BatchMessages);

/// <summary>A run stopped by an exception in a component or by a causality violation.</summary>
public sealed class SimulationFailedException(string message, Exception inner) : Exception(message, inner);

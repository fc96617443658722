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

/// <summary>
/// How the run was executed — partitions, synchronisation rounds, events that crossed partitions, and
/// Akka.NET messages between partitions (one report per peer per round). Depends on the partition count,
/// so it is kept apart from results.
/// </summary>
public sealed record ExecutionStats(int Partitions, long Rounds, long CrossPartitionEvents, long Messages);

/// <summary>A run stopped by an exception in a component or by a causality violation.</summary>
public sealed class SimulationFailedException(string message, Exception inner) : Exception(message, inner);

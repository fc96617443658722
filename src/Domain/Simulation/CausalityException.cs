namespace Phyr.Domain.Simulation;

/// <summary>
/// A component was handed a message stamped before its own clock, or a link was asked to deliver
/// faster than the lookahead. Either would make results depend on scheduling, so the run stops.
/// </summary>
public sealed class CausalityException(string message) : Exception(message);

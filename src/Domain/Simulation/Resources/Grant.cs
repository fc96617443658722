namespace Phyr.Domain.Simulation.Resources;

/// <summary>
/// A resource's answer: <paramref name="Requester"/> (a component id) is granted at virtual time
/// <paramref name="At"/> at the resource; the reply then travels one link latency to the requester.
/// </summary>
public readonly record struct Grant(int Requester, long At);

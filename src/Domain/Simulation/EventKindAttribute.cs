namespace Phyr.Domain.Simulation;

/// <summary>
/// The name a message type's events go by in a run's digest (without it: the type's full name). A digest says
/// which events a run handled, in which order — not how the code that sent them is laid out — so a message
/// type that moves or is renamed keeps the name it first had, and a refactor that changes no event keeps
/// every digest. The names of the shipped messages are the ones their first types had (docs/engine.md).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EventKindAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

namespace Phyr.Domain.Simulation;

/// <summary>A message in flight between components: its key (when and from whom), target and payload.</summary>
public readonly record struct SimEvent(EventKey Key, int Target, object Payload)
{
    public long Time => Key.Time;
}

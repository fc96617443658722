namespace Phyr.Domain.Simulation;

/// <summary>Pending events in <see cref="EventKey"/> order. Keys are unique, so the order is total.</summary>
public sealed class EventQueue
{
    private readonly PriorityQueue<SimEvent, EventKey> _heap = new();

    public int Count => _heap.Count;

    public void Enqueue(SimEvent e) => _heap.Enqueue(e, e.Key);

    public bool TryPeek(out SimEvent e) => _heap.TryPeek(out e, out _);

    public SimEvent Dequeue() => _heap.Dequeue();

    /// <summary>Time of the earliest pending event, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long NextTime => _heap.TryPeek(out var e, out _) ? e.Time : long.MaxValue;
}

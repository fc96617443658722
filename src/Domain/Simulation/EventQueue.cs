namespace Phyr.Domain.Simulation;

/// <summary>
/// Pending events in <see cref="EventKey"/> order: a binary min-heap of the events themselves (each
/// carries its key). Keys are unique, so the order is total and the same on every run.
/// </summary>
public sealed class EventQueue
{
    private SimEvent[] _heap = new SimEvent[16];
    private int _count;

    public int Count => _count;

    /// <summary>Time of the earliest pending event, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long NextTime => _count > 0 ? _heap[0].Key.Time : long.MaxValue;

    public bool TryPeek(out SimEvent e)
    {
        if (_count == 0)
        {
            e = default;
            return false;
        }
        e = _heap[0];
        return true;
    }

    public void Enqueue(in SimEvent e)
    {
        if (_count == _heap.Length) Array.Resize(ref _heap, _count * 2);
        var i = _count++;
        var heap = _heap;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (Less(heap[parent].Key, e.Key)) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = e;
    }

    public SimEvent Dequeue()
    {
        if (_count == 0) throw new InvalidOperationException("the event queue is empty");
        var heap = _heap;
        var top = heap[0];
        var last = heap[--_count];
        heap[_count] = default; // drop the payload reference
        if (_count > 0)
        {
            var i = 0;
            var n = _count;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= n) break;
                if (child + 1 < n && Less(heap[child + 1].Key, heap[child].Key)) child++;
                if (!Less(heap[child].Key, last.Key)) break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
        }
        return top;
    }

    private static bool Less(in EventKey a, in EventKey b) =>
        a.Time != b.Time ? a.Time < b.Time : a.Source != b.Source ? a.Source < b.Source : a.Seq < b.Seq;
}

namespace Phyr.Domain.Simulation;

/// <summary>
/// Pending events in <see cref="EventKey"/> order: a binary min-heap of the keys, each with the slot its event's target
/// and payload wait in. Keys are unique, so the order is total and the same on every run. The heap holds no references:
/// moving an entry up or down is a copy of 24 bytes with no GC write barrier, and a payload is written once, at
/// <see cref="Enqueue"/>, and cleared at <see cref="Dequeue"/> (the engine's busiest loop).
/// </summary>
public sealed class EventQueue
{
    private struct Node
    {
        public long Time;
        public long Seq;
        public int Source;
        public int Slot;
    }

    private Node[] _heap = new Node[16];
    private int _count;

    // Each pending event's target and payload, by slot; the slots free, as a stack.
    private int[] _targets = new int[16];
    private object?[] _payloads = new object?[16];
    private int[] _free = new int[16];
    private int _freeCount;
    private int _slotsUsed;

    public int Count => _count;

    /// <summary>Time of the earliest pending event, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long NextTime => _count > 0 ? _heap[0].Time : long.MaxValue;

    public bool TryPeek(out SimEvent e)
    {
        if (_count == 0)
        {
            e = default;
            return false;
        }
        e = EventAt(_heap[0]);
        return true;
    }

    public void Enqueue(in SimEvent e)
    {
        if (_count == _heap.Length) Array.Resize(ref _heap, _count * 2);
        var slot = TakeSlot();
        _targets[slot] = e.Target;
        _payloads[slot] = e.Payload;
        var node = new Node { Time = e.Key.Time, Seq = e.Key.Seq, Source = e.Key.Source, Slot = slot };
        var i = _count++;
        var heap = _heap;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (Less(heap[parent], node)) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = node;
    }

    public SimEvent Dequeue()
    {
        if (_count == 0) throw new InvalidOperationException("the event queue is empty");
        var heap = _heap;
        var top = heap[0];
        var last = heap[--_count];
        if (_count > 0)
        {
            var i = 0;
            var n = _count;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= n) break;
                if (child + 1 < n && Less(heap[child + 1], heap[child])) child++;
                if (!Less(heap[child], last)) break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
        }
        var e = EventAt(top);
        _payloads[top.Slot] = null; // drop the payload reference
        _free[_freeCount++] = top.Slot;
        return e;
    }

    private SimEvent EventAt(in Node n) => new(new EventKey(n.Time, n.Source, n.Seq), _targets[n.Slot], _payloads[n.Slot]!);

    private int TakeSlot()
    {
        if (_freeCount > 0) return _free[--_freeCount];
        if (_slotsUsed == _targets.Length)
        {
            Array.Resize(ref _targets, _slotsUsed * 2);
            Array.Resize(ref _payloads, _slotsUsed * 2);
            Array.Resize(ref _free, _slotsUsed * 2);
        }
        return _slotsUsed++;
    }

    private static bool Less(in Node a, in Node b) =>
        a.Time != b.Time ? a.Time < b.Time : a.Source != b.Source ? a.Source < b.Source : a.Seq < b.Seq;
}

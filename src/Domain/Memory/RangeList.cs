namespace Phyr.Domain.Memory;

/// <summary>
/// A list of physical ranges that grows at its end, a range that continues the last one merging into it — the way a
/// driver's phyr list grows call by call. Persistent: an append returns a new list sharing the old one's storage, and
/// only the newest list of a lineage writes past its own end (an older one appending copies first), so every list
/// keeps seeing exactly what it held — O(1) amortised per range, 16 bytes each, when a list grows from its newest
/// version as a flow's does. Not for appending to one list from two threads at once (one flow, one component).
/// </summary>
public sealed class RangeList
{
    private sealed class Storage(int capacity)
    {
        public readonly PhysRange[] Items = new PhysRange[capacity];
        public int Used;
    }

    public static readonly RangeList Empty = new(new Storage(0), 0, null);

    private readonly Storage _storage;
    private readonly int _closed; // Items[0, _closed) are final; Last may still grow

    private RangeList(Storage storage, int closed, PhysRange? last)
    {
        _storage = storage;
        _closed = closed;
        Last = last;
    }

    /// <summary>The last range, which the next append may extend.</summary>
    public PhysRange? Last { get; }

    public int Count => _closed + (Last is null ? 0 : 1);

    public RangeList Append(PhysRange range) => Append([range]);

    /// <summary>The list with <paramref name="ranges"/> at its end, each merged into the one before when it continues it.</summary>
    public RangeList Append(ReadOnlySpan<PhysRange> ranges)
    {
        var (storage, closed, last) = (_storage, _closed, Last);
        foreach (var r in ranges)
        {
            if (last is { } l && l.End == r.Addr)
            {
                last = l with { Len = l.Len + r.Len };
                continue;
            }
            if (last is { } done)
            {
                if (storage.Used != closed || closed == storage.Items.Length)
                {
                    var grown = new Storage(Math.Max(16, closed * 2));
                    Array.Copy(storage.Items, grown.Items, closed);
                    grown.Used = closed;
                    storage = grown;
                }
                storage.Items[closed++] = done;
                storage.Used = closed;
            }
            last = r;
        }
        return new RangeList(storage, closed, last);
    }

    public PhysRange[] ToArray()
    {
        var all = new PhysRange[Count];
        Array.Copy(_storage.Items, all, _closed);
        if (Last is { } l) all[^1] = l;
        return all;
    }
}

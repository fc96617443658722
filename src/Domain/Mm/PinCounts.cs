namespace Phyr.Domain.Mm;

/// <summary>
/// Pin counts of 4 KiB folios by pfn: an open-addressing hash table (linear probing, backward-shift
/// deletion) of 12 bytes a slot at most 5/8 full — about 20 bytes per pinned page against ~52 for a
/// <see cref="Dictionary{TKey,TValue}"/>. Sixty-four CPUs pinning 1 GiB each of 4 KiB pages is 16.7 M
/// entries. Iteration order is never exposed, so nothing reaching a result depends on it.
/// </summary>
public sealed class PinCounts
{
    private ulong[] _keys = new ulong[16];  // pfn + 1; 0 is an empty slot
    private int[] _counts = new int[16];

    /// <summary>pfns with a non-zero count.</summary>
    public int Count { get; private set; }

    public int Get(ulong pfn)
    {
        var i = Find(pfn + 1);
        return _keys[i] == 0 ? 0 : _counts[i];
    }

    /// <summary>Adds <paramref name="delta"/> to the count of <paramref name="pfn"/> and returns the new count; a count reaching 0 is removed.</summary>
    public int Add(ulong pfn, int delta)
    {
        var key = pfn + 1;
        var i = Find(key);
        if (_keys[i] == 0)
        {
            if (delta == 0) return 0;
            if ((Count + 1) * 8L > _keys.Length * 5L)
            {
                Grow();
                i = Find(key);
            }
            _keys[i] = key;
            _counts[i] = delta;
            Count++;
            return delta;
        }
        var n = _counts[i] + delta;
        if (n == 0) Remove(i);
        else _counts[i] = n;
        return n;
    }

    private int Find(ulong key)
    {
        var mask = _keys.Length - 1;
        var i = Slot(key, mask);
        while (_keys[i] != 0 && _keys[i] != key) i = (i + 1) & mask;
        return i;
    }

    // Fibonacci hashing: pfns of neighbouring frames land in different slots.
    private static int Slot(ulong key, int mask) => (int)((key * 0x9E3779B97F4A7C15UL) >> 32) & mask;

    /// <summary>Backward-shift deletion: later entries of the probe run move into the hole, so no tombstones.</summary>
    private void Remove(int hole)
    {
        var mask = _keys.Length - 1;
        var j = hole;
        while (true)
        {
            j = (j + 1) & mask;
            if (_keys[j] == 0) break;
            var home = Slot(_keys[j], mask);
            // Move j into the hole unless its home lies cyclically in (hole, j].
            if (hole <= j ? hole < home && home <= j : hole < home || home <= j) continue;
            _keys[hole] = _keys[j];
            _counts[hole] = _counts[j];
            hole = j;
        }
        _keys[hole] = 0;
        _counts[hole] = 0;
        Count--;
    }

    private void Grow()
    {
        var (keys, counts) = (_keys, _counts);
        _keys = new ulong[keys.Length * 2];
        _counts = new int[keys.Length * 2];
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] == 0) continue;
            var j = Find(keys[i]);
            _keys[j] = keys[i];
            _counts[j] = counts[i];
        }
    }
}

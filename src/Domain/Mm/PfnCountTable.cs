namespace Phyr.Domain.Mm;

/// <summary>
/// Counts by pfn in an open-addressing hash table (linear probing, backward-shift deletion) of one 8-byte slot per entry
/// at most 3/4 full — against ~52 bytes an entry for a <see cref="Dictionary{TKey,TValue}"/>; it doubles when 3/4 full (a
/// slot is the hash's top bits scaled to the table's size). A slot holds the pfn + 1 in its low 53 bits
/// (a pfn is below 2^40: its physical address is below 2^52, <see cref="Memory.Page.PhysAddrLimit"/>) and the count in its
/// top 11, biased by 1024; a count beyond ±1023 lives in a side dictionary, its slot's count field 0. Iteration order is
/// never exposed, so nothing reaching a result depends on it. <see cref="PinCounts"/> keeps here the counts that are
/// neither 0 nor 1.
/// </summary>
internal sealed class PfnCountTable
{
    private const int KeyBits = 53;
    private const ulong KeyMask = (1UL << KeyBits) - 1;
    private const int Bias = 1024;
    private const int MaxPacked = Bias - 1;

    private ulong[] _slots = new ulong[16];                 // 0: empty
    private readonly Dictionary<ulong, int> _overflow = []; // key -> count, for counts beyond ±MaxPacked

    private int _count;

    /// <summary>pfns with a non-zero count.</summary>
    public int Count => _count;

    public int Get(ulong pfn)
    {
        var i = Find(Key(pfn));
        return _slots[i] == 0 ? 0 : CountAt(i);
    }

    /// <summary>Adds <paramref name="delta"/> to the count of <paramref name="pfn"/> and returns the new count; a count reaching 0 is removed.</summary>
    public int Add(ulong pfn, int delta)
    {
        var key = Key(pfn);
        var i = Find(key);
        if (_slots[i] == 0)
        {
            if (delta == 0) return 0;
            if ((_count + 1) * 4L > _slots.Length * 3L)
            {
                Resize(_slots.Length * 2L);
                i = Find(key);
            }
            _count++;
            Store(i, key, delta);
            return delta;
        }
        var n = checked(CountAt(i) + delta);
        if (n == 0)
        {
            _overflow.Remove(key);
            Remove(i);
        }
        else Store(i, key, n);
        return n;
    }

    internal static ulong Key(ulong pfn) =>
        pfn < KeyMask ? pfn + 1 : throw new ArgumentOutOfRangeException(nameof(pfn), $"pfn {pfn} is beyond a 64-bit physical address");

    private int CountAt(int i)
    {
        var field = (int)(_slots[i] >> KeyBits);
        return field != 0 ? field - Bias : _overflow[_slots[i] & KeyMask];
    }

    private void Store(int i, ulong key, int count)
    {
        if (Math.Abs((long)count) <= MaxPacked)
        {
            _overflow.Remove(key);
            _slots[i] = key | ((ulong)(count + Bias) << KeyBits);
        }
        else
        {
            _overflow[key] = count;
            _slots[i] = key;
        }
    }

    private int Find(ulong key)
    {
        var n = _slots.Length;
        var i = Slot(key, n);
        while (_slots[i] != 0 && (_slots[i] & KeyMask) != key) i = i + 1 == n ? 0 : i + 1;
        return i;
    }

    // Fibonacci hashing (pfns of neighbouring frames land in different slots), its top 32 bits scaled to the table's size.
    private static int Slot(ulong key, int slots) => (int)(((key * 0x9E3779B97F4A7C15UL) >> 32) * (ulong)slots >> 32);

    /// <summary>Backward-shift deletion: later entries of the probe run move into the hole, so no tombstones.</summary>
    private void Remove(int hole)
    {
        var n = _slots.Length;
        var j = hole;
        while (true)
        {
            j = j + 1 == n ? 0 : j + 1;
            if (_slots[j] == 0) break;
            var home = Slot(_slots[j] & KeyMask, n);
            // Move j into the hole unless its home lies cyclically in (hole, j].
            if (hole <= j ? hole < home && home <= j : hole < home || home <= j) continue;
            _slots[hole] = _slots[j];
            hole = j;
        }
        _slots[hole] = 0;
        _count--;
    }

    private void Resize(long size)
    {
        var slots = _slots;
        _slots = new ulong[checked((int)Math.Min(size, Array.MaxLength))];
        foreach (var slot in slots)
            if (slot != 0) _slots[Find(slot & KeyMask)] = slot;
    }
}

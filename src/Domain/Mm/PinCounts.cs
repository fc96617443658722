using System.Runtime.Intrinsics.X86;

namespace Phyr.Domain.Mm;

/// <summary>
/// Pin counts of 4 KiB folios by pfn: an open-addressing hash table (linear probing, backward-shift deletion) of one
/// 8-byte slot per entry at most 3/4 full — against ~52 bytes an entry for a <see cref="Dictionary{TKey,TValue}"/>. Its
/// size is any number of slots (a slot is the hash's top bits scaled to it), so a table <see cref="Reserve"/>d for the
/// pages an mm maps holds them at 10.7 bytes each and never grows (growing by doubling would hold the old table and
/// one twice its size at once: 24 bytes a page at a terabyte). A slot holds the pfn + 1 in its low 53 bits (a pfn is below 2^40: its physical
/// address is below 2^52, <see cref="Memory.Page.PhysAddrLimit"/>) and the count in its top 11, biased by 1024; a count beyond ±1023 (that many pins of one page)
/// lives in a side dictionary, its slot's count field 0. Sixty-four CPUs pinning 1 GiB each of 4 KiB pages is 16.7 M
/// entries. Iteration order is never exposed, so nothing reaching a result depends on it.
/// <para>
/// Walks and unpins change counts a page at a time in address order, which is random pfn order: each change a slot in a
/// table far larger than the cache, a miss from DRAM. <see cref="Defer"/> queues them and applies them in order a few
/// hundred at a time, the slot of the change <see cref="PrefetchDistance"/> ahead prefetched, so the misses overlap; every
/// read (<see cref="Get"/>, <see cref="Add"/>, <see cref="Count"/>, <see cref="Underflows"/>) applies the queue first, so
/// what it sees is exactly what applying each change at once would give.
/// </para>
/// </summary>
public sealed class PinCounts
{
    private const int KeyBits = 53;
    private const ulong KeyMask = (1UL << KeyBits) - 1;
    private const int Bias = 1024;
    private const int MaxPacked = Bias - 1;

    private ulong[] _slots = new ulong[16];                 // 0: empty
    private readonly Dictionary<ulong, int> _overflow = []; // key -> count, for counts beyond ±MaxPacked

    private const int PendingCapacity = 256, PrefetchDistance = 12;
    private readonly ulong[] _pendingKeys = new ulong[PendingCapacity];
    private readonly int[] _pendingDeltas = new int[PendingCapacity];
    private int _pending;
    private int _count;
    private long _underflows;

    /// <summary>pfns with a non-zero count.</summary>
    public int Count
    {
        get
        {
            Flush();
            return _count;
        }
    }

    /// <summary>Deferred changes that would have taken a count below 0 (more unpins than pins): the count stayed at 0.</summary>
    public long Underflows
    {
        get
        {
            Flush();
            return _underflows;
        }
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to the count of <paramref name="pfn"/> later, in order with every other change: a count
    /// that would go below 0 stays at 0 and counts an <see cref="Underflows">underflow</see>. A pfn beyond the key's range
    /// throws now.
    /// </summary>
    public void Defer(ulong pfn, int delta)
    {
        if (_pending == PendingCapacity) Flush();
        _pendingKeys[_pending] = Key(pfn);
        _pendingDeltas[_pending++] = delta;
    }

    /// <summary>Applies the deferred changes, in the order they were made.</summary>
    public void Flush()
    {
        var pending = _pending;
        if (pending == 0) return;
        _pending = 0;
        for (var i = 0; i < Math.Min(pending, PrefetchDistance); i++) Prefetch(_pendingKeys[i]);
        for (var i = 0; i < pending; i++)
        {
            if (i + PrefetchDistance < pending) Prefetch(_pendingKeys[i + PrefetchDistance]);
            var key = _pendingKeys[i];
            var n = AddKey(key, _pendingDeltas[i]);
            if (n >= 0) continue;
            _underflows++;
            AddKey(key, -n);
        }
    }

    // A hint only: the slot a key's probe starts at, asked of memory before it is needed.
    private unsafe void Prefetch(ulong key)
    {
        if (!Sse.IsSupported) return;
        fixed (ulong* slots = _slots) Sse.Prefetch0(slots + Slot(key, _slots.Length));
    }

    public int Get(ulong pfn)
    {
        Flush();
        var i = Find(Key(pfn));
        return _slots[i] == 0 ? 0 : CountAt(i);
    }

    /// <summary>Adds <paramref name="delta"/> to the count of <paramref name="pfn"/> and returns the new count; a count reaching 0 is removed.</summary>
    public int Add(ulong pfn, int delta)
    {
        Flush();
        return AddKey(Key(pfn), delta);
    }

    private int AddKey(ulong key, int delta)
    {
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

    /// <summary>Room for <paramref name="entries"/> counts in all without growing (a hint: more still fit, by growing).</summary>
    public void Reserve(long entries)
    {
        var slots = (entries * 4 + 2) / 3 + 1;
        if (slots > _slots.Length) Resize(slots);
    }

    private static ulong Key(ulong pfn) =>
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

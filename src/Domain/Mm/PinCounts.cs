using System.Runtime.Intrinsics.X86;

namespace Phyr.Domain.Mm;

/// <summary>
/// Pin counts of 4 KiB folios by pfn. Nearly every pinned page has a count of 1, so what is held per page is one bit: the
/// pfns are cut into blocks of 2^16 frames, and a block with pins holds the offsets of its pinned pfns — a short list
/// while it has at most <see cref="SparseMax"/> of them, a bitmap of 8 KiB after — and the counts that are neither 0
/// nor 1 (many pins of one page, an unpin without a pin) are kept apart (<see cref="PfnCountTable"/>). A layout of
/// fragmentation 0.5 puts a pinned page about every 18 frames (runs of 2, gaps of ~33): 2.2 bytes a page, where a
/// pfn-keyed slot each took 10.7; with no two frames contiguous, 4.3; contiguous, 1 bit. A block's list holds 2 bytes an
/// entry, so a scattered set of pfns (a pfn file) costs at most ~88 bytes a pfn (one block each), and a block of a bitmap
/// at most 8 bytes a pfn. Iteration order is never exposed, so nothing reaching a result depends on it.
/// <para>
/// Walks and unpins change counts a page at a time in address order, which is random pfn order: each change a word in a
/// bitmap far larger than the cache, a miss from DRAM. <see cref="Defer"/> queues them and applies them in order a few
/// hundred at a time, the word of the change <see cref="PrefetchDistance"/> ahead prefetched, so the misses overlap; every
/// read (<see cref="Get"/>, <see cref="Add"/>, <see cref="Count"/>, <see cref="Underflows"/>) applies the queue first, so
/// what it sees is exactly what applying each change at once would give.
/// </para>
/// </summary>
public sealed class PinCounts
{
    private const int BlockShift = 16;
    private const int BlockMask = (1 << BlockShift) - 1;
    private const int WordsPerBlock = (1 << BlockShift) / 64;

    /// <summary>Offsets a block lists before it becomes a bitmap (2 KiB of list against the bitmap's 8).</summary>
    public const int SparseMax = 1024;

    private sealed class Block
    {
        public ulong[]? Bits;            // a bit per frame with a count, once dense
        public ushort[]? Listed = new ushort[8]; // the offsets with a count, while sparse (unordered)
        public int Pinned;               // frames of this block with a count

        public bool Has(int offset) => Bits is { } bits
            ? (bits[offset >> 6] & (1UL << offset)) != 0
            : Array.IndexOf(Listed!, (ushort)offset, 0, Pinned) >= 0;

        public void Set(int offset)
        {
            if (Bits is { } bits) bits[offset >> 6] |= 1UL << offset;
            else if (Pinned < SparseMax)
            {
                if (Pinned == Listed!.Length) Array.Resize(ref Listed, Listed.Length * 2);
                Listed[Pinned] = (ushort)offset;
            }
            else
            {
                var dense = new ulong[WordsPerBlock];
                for (var i = 0; i < Pinned; i++) dense[Listed![i] >> 6] |= 1UL << Listed[i];
                dense[offset >> 6] |= 1UL << offset;
                (Bits, Listed) = (dense, null);
            }
            Pinned++;
        }

        public void Clear(int offset)
        {
            if (Bits is { } bits) bits[offset >> 6] &= ~(1UL << offset);
            else
            {
                var i = Array.IndexOf(Listed!, (ushort)offset, 0, Pinned);
                Listed![i] = Listed[Pinned - 1];
            }
            Pinned--;
        }
    }

    // The blocks with pins by pfn >> 16, in pages of 4096 (2^28 frames each: a terabyte's layout spreads over 18 to 36),
    // the pages of frames below 2^40 (a 52-bit physical address) in a table, any above by key: a block is two loads away.
    private const int PageShift = 12, TablePages = 4096;
    private readonly Block?[]?[] _table = new Block?[]?[TablePages];
    private readonly Dictionary<ulong, Block?[]> _beyond = [];
    private readonly PfnCountTable _others = new();             // the counts that are neither 0 nor 1

    private const int PendingCapacity = 256, PrefetchDistance = 12;
    private readonly ulong[] _pendingPfns = new ulong[PendingCapacity];
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
        CheckPfn(pfn);
        if (_pending == PendingCapacity) Flush();
        _pendingPfns[_pending] = pfn;
        _pendingDeltas[_pending++] = delta;
    }

    /// <summary>Applies the deferred changes, in the order they were made.</summary>
    public void Flush()
    {
        var pending = _pending;
        if (pending == 0) return;
        _pending = 0;
        for (var i = 0; i < Math.Min(pending, PrefetchDistance); i++) Prefetch(_pendingPfns[i]);
        for (var i = 0; i < pending; i++)
        {
            if (i + PrefetchDistance < pending) Prefetch(_pendingPfns[i + PrefetchDistance]);
            var pfn = _pendingPfns[i];
            var n = Change(pfn, _pendingDeltas[i]);
            if (n >= 0) continue;
            _underflows++;
            Change(pfn, -n);
        }
    }

    // A hint only: the bitmap word a change will touch, asked of memory before it is needed.
    private unsafe void Prefetch(ulong pfn)
    {
        if (!Sse.IsSupported || BlockOf(pfn, create: false) is not { Bits: { } bits }) return;
        fixed (ulong* words = bits) Sse.Prefetch0(words + ((int)(pfn & BlockMask) >> 6));
    }

    public int Get(ulong pfn)
    {
        CheckPfn(pfn);
        Flush();
        return CountOf(pfn, out _);
    }

    /// <summary>Adds <paramref name="delta"/> to the count of <paramref name="pfn"/> and returns the new count; a count reaching 0 is removed.</summary>
    public int Add(ulong pfn, int delta)
    {
        CheckPfn(pfn);
        Flush();
        return Change(pfn, delta);
    }

    // The pfns a count may be kept for: those the side table can key (below 2^53); any other throws.
    private static void CheckPfn(ulong pfn) => PfnCountTable.Key(pfn);

    private Block? BlockOf(ulong pfn, bool create)
    {
        var index = pfn >> BlockShift;
        var key = index >> PageShift;
        var page = key < TablePages ? _table[key] : _beyond.GetValueOrDefault(key);
        if (page is null)
        {
            if (!create) return null;
            page = new Block?[1 << PageShift];
            if (key < TablePages) _table[key] = page;
            else _beyond[key] = page;
        }
        ref var block = ref page[(int)(index & ((1 << PageShift) - 1))];
        if (block is null && create) block = new Block();
        return block;
    }

    private void Drop(ulong pfn)
    {
        var key = pfn >> BlockShift >> PageShift;
        (key < TablePages ? _table[key] : _beyond[key])![(int)((pfn >> BlockShift) & ((1 << PageShift) - 1))] = null;
    }

    private int CountOf(ulong pfn, out Block? block)
    {
        block = BlockOf(pfn, create: false);
        if (block is null || !block.Has((int)(pfn & BlockMask))) return 0;
        var other = _others.Get(pfn);
        return other != 0 ? other : 1;
    }

    private int Change(ulong pfn, int delta)
    {
        var had = CountOf(pfn, out var block);
        var n = checked(had + delta);
        if (n == had) return n;
        var apart = Apart(n) - Apart(had);
        if (apart != 0) _others.Add(pfn, apart);
        var offset = (int)(pfn & BlockMask);
        if (had == 0)
        {
            block ??= BlockOf(pfn, create: true)!;
            block.Set(offset);
            _count++;
        }
        else if (n == 0)
        {
            block!.Clear(offset);
            if (block.Pinned == 0) Drop(pfn);
            _count--;
        }
        return n;
    }

    // What the side table holds for a count: the count, unless it is 0 or 1 (which the block's bit says).
    private static int Apart(int count) => count is 0 or 1 ? 0 : count;
}

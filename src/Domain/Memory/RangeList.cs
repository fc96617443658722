using System.Collections;

namespace Phyr.Domain.Memory;

/// <summary>
/// A list of physical ranges that grows at its end, a range that continues the last one merging into it — the way a
/// driver's phyr list grows call by call. Persistent: an append returns a new list sharing the old one's storage, and
/// only the newest list of a lineage writes past its own end (an older one appending copies first), so every list
/// keeps seeing exactly what it held. The storage is chunks of <see cref="ChunkRanges"/> ranges, so a list grows
/// without copying what it holds and wastes at most one part-filled chunk (a terabyte's list at fragmentation 0.5 is
/// 134 M ranges: doubling an array would hold 2 to 3 times that at its peak); an older list appending copies only its
/// last chunk. O(1) per range, 8 bytes each: a phyr of whole pages below 2^52 and shorter than 64 GiB — every one GUP
/// makes but a run of 64 GiB or more — is packed (its pfn in 40 bits, its pages in 24), any other kept apart by index
/// (16 bytes and a dictionary entry). Not for appending to one list from two threads at once (one flow,
/// one component).
/// </summary>
public sealed class RangeList : IReadOnlyList<PhysRange>
{
    /// <summary>Ranges per chunk: 32 KiB, below the large-object heap's threshold.</summary>
    public const int ChunkRanges = 4096;
    private const int ChunkShift = 12;
    private const int ChunkMask = ChunkRanges - 1;

    private sealed class Storage
    {
        public ulong[][] Chunks = [];
        public int ChunkCount;
        public int Used;
        public Dictionary<int, PhysRange>? Apart; // the ranges that do not pack, by index

        public PhysRange Get(int index)
        {
            var packed = Chunks[index >> ChunkShift][index & ChunkMask];
            return packed == Unpacked ? Apart![index] : new PhysRange((packed >> PagesBits) << Page.Shift, (packed & PagesMask) << Page.Shift);
        }

        public void Put(int index, PhysRange range)
        {
            var chunk = index >> ChunkShift;
            if (chunk == ChunkCount)
            {
                if (ChunkCount == Chunks.Length) Array.Resize(ref Chunks, Math.Max(4, ChunkCount * 2));
                Chunks[ChunkCount++] = new ulong[ChunkRanges];
            }
            var pages = range.Len >> Page.Shift;
            var packs = ((range.Addr | range.Len) & (Page.Size - 1)) == 0 && pages is > 0 and < PagesMask && range.Addr >> Page.Shift >> PfnBits == 0;
            Chunks[chunk][index & ChunkMask] = packs ? (range.Addr >> Page.Shift << PagesBits) | pages : Unpacked;
            if (!packs) (Apart ??= [])[index] = range;
        }

        /// <summary>A storage holding <paramref name="closed"/> ranges of this one: the full chunks shared (nobody writes below a list's end), the last copied.</summary>
        public Storage CopyOf(int closed)
        {
            var full = closed >> ChunkShift;
            var copy = new Storage { Chunks = new ulong[Math.Max(4, full + 1)][], Used = closed };
            Array.Copy(Chunks, copy.Chunks, full);
            copy.ChunkCount = full;
            if ((closed & ChunkMask) != 0)
            {
                copy.Chunks[full] = (ulong[])Chunks[full].Clone();
                copy.ChunkCount = full + 1;
            }
            if (Apart is not null)
                foreach (var (i, r) in Apart)
                    if (i < closed) (copy.Apart ??= [])[i] = r;
            return copy;
        }
    }

    // A packed range: its pfn in the top 40 bits, its pages in the low 24; Unpacked marks one kept apart.
    private const int PagesBits = 24, PfnBits = 40;
    private const ulong PagesMask = (1UL << PagesBits) - 1, Unpacked = ulong.MaxValue;

    // Empty's storage is never written (lists on many threads start from it): a first append takes a storage of its own.
    private static readonly Storage Shared = new();

    public static readonly RangeList Empty = new(Shared, 0, null);

    private readonly Storage _storage;
    private readonly int _closed; // ranges [0, _closed) are final; Last may still grow

    private RangeList(Storage storage, int closed, PhysRange? last)
    {
        _storage = storage;
        _closed = closed;
        Last = last;
    }

    /// <summary>The last range, which the next append may extend.</summary>
    public PhysRange? Last { get; }

    public int Count => _closed + (Last is null ? 0 : 1);

    public PhysRange this[int index] =>
        (uint)index < (uint)_closed ? _storage.Get(index)
        : index == _closed && Last is { } last ? last
        : throw new ArgumentOutOfRangeException(nameof(index), $"{index} is not below {Count}");

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
                if (ReferenceEquals(storage, Shared)) storage = new Storage();
                else if (storage.Used != closed) storage = storage.CopyOf(closed);
                storage.Put(closed++, done);
                storage.Used = closed;
            }
            last = r;
        }
        return new RangeList(storage, closed, last);
    }

    public PhysRange[] ToArray()
    {
        var all = new PhysRange[Count];
        for (var i = 0; i < _closed; i++) all[i] = _storage.Get(i);
        if (Last is { } l) all[^1] = l;
        return all;
    }

    public IEnumerator<PhysRange> GetEnumerator()
    {
        for (var i = 0; i < _closed; i++) yield return _storage.Get(i);
        if (Last is { } l) yield return l;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

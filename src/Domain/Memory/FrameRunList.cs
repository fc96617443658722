using System.Collections;
using System.Runtime.Intrinsics.X86;
using Phyr.Domain.Randomness;

namespace Phyr.Domain.Memory;

/// <summary>
/// A layout's runs of frames in chunks of <see cref="ChunkRuns"/> (48 KiB each, below the large-object heap), so a
/// terabyte's layout (134 M runs at fragmentation 0.5: 1.6 GB) is never one array, and the chunks a consumer has gone past
/// can be let go (<see cref="ReleaseBefore"/>; reading a run let go, or enumerating the list, then throws): faults take a layout's runs in order, once, so once the region is faulted
/// in, its layout no longer holds memory the page tables, pin counts and IO page tables need. Grows at its end; any run
/// not released may be read or replaced (the fragmentation model shuffles it in place). Not for two threads at once.
/// </summary>
public sealed class FrameRunList : IList<FrameRun>, IReadOnlyList<FrameRun>
{
    public const int ChunkRuns = 4096;
    private const int ChunkShift = 12;
    private const int ChunkMask = ChunkRuns - 1;

    private FrameRun[]?[] _chunks;
    private int _released; // chunks [0, _released) are let go

    /// <param name="capacity">Runs expected (a hint: the chunk table is sized for them; more still fit).</param>
    public FrameRunList(int capacity = 0) => _chunks = new FrameRun[Math.Max(1, (capacity + ChunkMask) >> ChunkShift)][];

    public int Count { get; private set; }

    public bool IsReadOnly => false;

    /// <summary>The first run not released: reading one before it throws.</summary>
    public int FirstHeld => Math.Min(Count, _released << ChunkShift);

    public FrameRun this[int index]
    {
        get => Chunk(index)[index & ChunkMask];
        set => Chunk(index)[index & ChunkMask] = value;
    }

    public void Add(FrameRun run)
    {
        var chunk = Count >> ChunkShift;
        if (chunk == _chunks.Length) Array.Resize(ref _chunks, _chunks.Length * 2);
        (_chunks[chunk] ??= new FrameRun[ChunkRuns])[Count & ChunkMask] = run;
        Count++;
    }

    /// <summary>
    /// Shuffles the runs in place exactly as <see cref="DeterministicRandom.Shuffle{T}"/> does — the same draws, the same
    /// swaps in the same order — with the run each of the next swaps reaches asked of memory before it is swapped: a
    /// terabyte's layout is far larger than the cache, so one swap after another would wait on a miss each.
    /// </summary>
    public void Shuffle(DeterministicRandom rng)
    {
        const int Ahead = 16;
        Span<int> js = stackalloc int[Ahead];
        for (var i = Count - 1; i > 0;)
        {
            var k = Math.Min(Ahead, i);
            for (var a = 0; a < k; a++)
            {
                js[a] = (int)rng.NextUInt64((ulong)(i - a) + 1);
                Prefetch(js[a]);
            }
            for (var a = 0; a < k; a++)
            {
                var (x, j) = (i - a, js[a]);
                (this[x], this[j]) = (this[j], this[x]);
            }
            i -= k;
        }
    }

    // A hint only: the run at index, asked of memory before it is needed.
    private unsafe void Prefetch(int index)
    {
        if (!Sse.IsSupported) return;
        fixed (FrameRun* run = &Chunk(index)[index & ChunkMask]) Sse.Prefetch0(run);
    }

    /// <summary>Lets go of every whole chunk of runs before <paramref name="index"/>: they are not read again.</summary>
    public void ReleaseBefore(int index)
    {
        var whole = Math.Clamp(index, 0, Count) >> ChunkShift;
        for (; _released < whole; _released++) _chunks[_released] = null;
    }

    private FrameRun[] Chunk(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{index} is not below {Count}");
        return _chunks[index >> ChunkShift] ?? throw new InvalidOperationException($"run {index} was released (runs before {FirstHeld} are)");
    }

    public IEnumerator<FrameRun> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public int IndexOf(FrameRun item)
    {
        for (var i = 0; i < Count; i++)
            if (this[i] == item) return i;
        return -1;
    }

    public bool Contains(FrameRun item) => IndexOf(item) >= 0;

    public void CopyTo(FrameRun[] array, int arrayIndex)
    {
        for (var i = 0; i < Count; i++) array[arrayIndex++] = this[i];
    }

    public void Insert(int index, FrameRun item) => throw new NotSupportedException("a layout grows at its end");
    public void RemoveAt(int index) => throw new NotSupportedException("a layout grows at its end");
    public bool Remove(FrameRun item) => throw new NotSupportedException("a layout grows at its end");
    public void Clear() => throw new NotSupportedException("a layout grows at its end");
}

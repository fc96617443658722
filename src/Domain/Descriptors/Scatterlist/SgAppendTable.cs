using System.Collections.Immutable;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors.Scatterlist;

/// <summary>
/// <c>struct sg_append_table</c> and <c>sg_alloc_append_table_from_pages()</c> (lib/scatterlist.c),
/// the way <c>ib_umem_get()</c> builds a memory region's scatterlist 512 pages at a time.
/// <para>
/// Semantics kept from the kernel: max_segment is rounded down to PAGE_SIZE (below one page is
/// -EINVAL); a later call first extends the previous last entry while its pages continue it and the
/// entry stays within max_segment (its offset must then be 0); a new entry starts at a pfn break or
/// when the entry already holds max_segment bytes; only the first entry carries the offset, the last
/// is trimmed to size. Entries are allocated by <c>get_next_sg()</c>: chunks of
/// min(entries still needed, 128) slots, the last slot of a full chunk becoming the chain link, so a
/// full chunk holds 127 data entries; <c>needed</c> counts the caller's <c>left_pages</c> too, so
/// ib_umem_get's tables are allocated ahead of use.
/// </para>
/// The table is immutable: each append returns a new one. Entries are not stored; they are replayed
/// from the calls (<see cref="Segments"/>), so a table of a million entries costs its calls only.
/// </summary>
public sealed record SgAppendTable
{
    public static readonly SgAppendTable Empty = new();

    /// <summary>Sizes, in slots, of each chunk <c>sg_kmalloc()</c> returned, in order.</summary>
    public ImmutableList<int> Chunks { get; private init; } = [];

    /// <summary>Slots used in the last chunk (data entries plus nothing else: the chain slot is never used for data).</summary>
    public int UsedInLastChunk { get; private init; }

    /// <summary><c>sgt.nents</c> (= orig_nents): the data entries.</summary>
    public long Nents { get; private init; }

    /// <summary>True once a call passed left_pages == 0 (<c>sg_mark_end()</c>): the table takes no more appends.</summary>
    public bool Ended { get; private init; }

    /// <summary>The last data entry (<c>prv</c>), if any.</summary>
    public PhysRange? Last { get; private init; }

    public ImmutableList<SgAppendCall> Calls { get; private init; } = [];

    /// <summary><c>total_nents</c>: slots allocated minus chain links.</summary>
    public long TotalNents => Chunks.Sum(c => (long)c) - Math.Max(0, Chunks.Count - 1);

    public long SlotsAllocated => Chunks.Sum(c => (long)c);
    public int ChainSlots => Math.Max(0, Chunks.Count - 1);

    /// <summary>Bytes allocated for the entries: every slot of every chunk, chain links included.</summary>
    public long EntryBytes => SlotsAllocated * DescriptorSizes.Scatterlist;

    /// <summary>Models <c>ALIGN_DOWN(max_segment, PAGE_SIZE)</c> and its -EINVAL check.</summary>
    public static ulong AlignMaxSegment(ulong maxSegment)
    {
        if (maxSegment > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxSegment), maxSegment,
                $"max_segment {maxSegment} does not fit the kernel's unsigned int parameter (at most {uint.MaxValue})");
        var aligned = Page.AlignDown(maxSegment);
        if (aligned < Page.Size)
            throw new ArgumentOutOfRangeException(nameof(maxSegment), maxSegment,
                $"max_segment {maxSegment} is below one page ({Page.Size} bytes): the kernel returns -EINVAL");
        return aligned;
    }

    /// <summary>
    /// <c>sg_alloc_append_table_from_pages(sgt_append, pages, n_pages, offset, size, max_segment, left_pages)</c>.
    /// </summary>
    public SgAppendTable AppendFromPages(PageSpan pages, ulong maxSegment, ulong leftPages)
    {
        maxSegment = AlignMaxSegment(maxSegment);
        if (Ended)
            throw new InvalidOperationException(
                "the table was ended by a call with left_pages == 0; appending to it would follow a NULL sg_next()");
        var segPages = maxSegment >> Page.Shift;

        ulong merged = 0;
        var last = Last;
        if (last is { } prv)
        {
            if (pages.FirstOffset != 0)
                throw new ArgumentException("offset must be 0 when appending to a non-empty table (the kernel WARNs and returns -EINVAL)", nameof(pages));
            // Merge contiguous pages into the last entry, page by page, while it stays within max_segment.
            // next_pfn = (sg_phys(prv) + prv_len) / PAGE_SIZE, a floor division as in the kernel.
            var nextPfn = prv.End >> Page.Shift;
            var first = pages.Runs[0];
            if (first.Start == nextPfn)
            {
                var room = prv.Len + Page.Size > maxSegment ? 0 : (maxSegment - prv.Len) >> Page.Shift;
                merged = Math.Min(first.Count, room);
                last = prv with { Len = prv.Len + (merged << Page.Shift) };
            }
        }

        var rest = DropPages(pages.Runs, merged);
        var calls = Calls.Add(new SgAppendCall(pages, maxSegment, merged));
        if (rest.IsEmpty)
            return this with { Last = last, Calls = calls, Ended = leftPages == 0 };

        long chunksNeeded = 0;
        foreach (var run in rest) chunksNeeded += checked((long)((run.Count + segPages - 1) / segPages));

        var (chunks, used) = Allocate(chunksNeeded, (long)Math.Min(leftPages, long.MaxValue / 2));
        var table = this with
        {
            Chunks = chunks,
            UsedInLastChunk = used,
            Nents = Nents + chunksNeeded,
            Calls = calls,
            Ended = leftPages == 0,
        };
        return table with { Last = LastChunk(pages, rest, segPages) };
    }

    /// <summary>The data entries, in order, as (sg_phys(sg), sg->length).</summary>
    public IEnumerable<PhysRange> Segments()
    {
        PhysRange? pending = null;
        foreach (var call in Calls)
        {
            if (call.MergedPages > 0 && pending is { } p)
                pending = p with { Len = p.Len + (call.MergedPages << Page.Shift) };
            var rest = DropPages(call.Pages.Runs, call.MergedPages);
            var offset = call.MergedPages > 0 ? 0 : call.Pages.FirstOffset;
            foreach (var chunk in Chunk(rest, call.MaxSegment >> Page.Shift, offset, call.Pages.Length))
            {
                if (pending is { } done) yield return done;
                pending = chunk;
            }
        }
        if (pending is { } final) yield return final;
    }

    /// <summary>
    /// The chunk loop of sg_alloc_append_table_from_pages: a chunk ends at a pfn break or after
    /// max_segment / PAGE_SIZE pages; its length is pages * PAGE_SIZE - offset, trimmed to what is left
    /// of size (unsigned arithmetic, as in the kernel).
    /// </summary>
    internal static IEnumerable<PhysRange> Chunk(ImmutableArray<FrameRun> runs, ulong segPages, ulong offset, ulong size)
    {
        foreach (var run in runs)
        {
            for (ulong k = 0; k < run.Count; k += segPages)
            {
                var n = Math.Min(segPages, run.Count - k);
                var chunkSize = unchecked((n << Page.Shift) - offset);
                yield return new PhysRange(((run.Start + k) << Page.Shift) + offset, Math.Min(size, chunkSize));
                size = unchecked(size - chunkSize);
                offset = 0;
            }
        }
    }

    /// <summary>The entry the chunk loop leaves last for this call, computed from the last run alone.</summary>
    private static PhysRange LastChunk(PageSpan pages, ImmutableArray<FrameRun> rest, ulong segPages)
    {
        var offset = pages.FirstOffset; // non-zero only when nothing was merged (checked above)
        var size = pages.Length;
        for (var i = 0; i < rest.Length - 1; i++)
        {
            size = unchecked(size - ((rest[i].Count << Page.Shift) - offset));
            offset = 0;
        }
        var run = rest[^1];
        var nChunks = (run.Count + segPages - 1) / segPages;
        var k = (nChunks - 1) * segPages;
        if (nChunks > 1)
        {
            size = unchecked(size - ((k << Page.Shift) - offset));
            offset = 0;
        }
        var chunkSize = unchecked(((run.Count - k) << Page.Shift) - offset);
        return new PhysRange(((run.Start + k) << Page.Shift) + offset, Math.Min(size, chunkSize));
    }

    /// <summary>
    /// get_next_sg() for <paramref name="chunks"/> new entries, <paramref name="leftPages"/> announced
    /// after them. Works a chunk of slots at a time rather than an entry at a time.
    /// </summary>
    private (ImmutableList<int> Chunks, int Used) Allocate(long chunks, long leftPages)
    {
        var allocs = Chunks;
        var used = UsedInLastChunk;
        long i = 0;
        while (i < chunks)
        {
            if (allocs.IsEmpty)
            {
                allocs = allocs.Add((int)Math.Min(chunks - i + leftPages, DescriptorSizes.SgMaxSingleAlloc));
                used = 1;
                i++;
                continue;
            }
            var size = allocs[^1];
            if (used < size - 1)
            {
                // Slots before the chunk's last one are taken without looking at what is needed.
                var k = Math.Min(chunks - i, size - 1 - used);
                used += (int)k;
                i += k;
                continue;
            }
            if (used == size)
                throw new InvalidOperationException("the scatterlist is full: an earlier call announced fewer pages than were appended");
            var needed = chunks - i + leftPages;
            if (needed == 1)
            {
                used = size; // the last slot holds the final entry
                i++;
                continue;
            }
            allocs = allocs.Add((int)Math.Min(needed, DescriptorSizes.SgMaxSingleAlloc));
            used = 1;
            i++;
        }
        return (allocs, used);
    }

    internal static ImmutableArray<FrameRun> DropPages(ImmutableArray<FrameRun> runs, ulong pages)
    {
        if (pages == 0) return runs;
        var b = ImmutableArray.CreateBuilder<FrameRun>(runs.Length);
        foreach (var r in runs)
        {
            if (pages >= r.Count)
            {
                pages -= r.Count;
                continue;
            }
            b.Add(new FrameRun(r.Start + pages, r.Count - pages));
            pages = 0;
        }
        return b.ToImmutable();
    }
}

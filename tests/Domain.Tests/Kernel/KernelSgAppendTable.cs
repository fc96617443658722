namespace Phyr.Domain.Tests.Kernel;

/// <summary>
/// A line-by-line port of sg_alloc_append_table_from_pages() and get_next_sg() from lib/scatterlist.c,
/// page by page and slot by slot, with the kernel's unsigned int arithmetic. It is the oracle the
/// run-based implementation in the Domain is checked against; it is deliberately not clever.
/// </summary>
internal sealed class KernelSgAppendTable
{
    private const int EINVAL = 22;
    private const uint PageSize = 4096;
    private const int SgMaxSingleAlloc = 128;

    private sealed class Slot
    {
        public ulong Pfn;
        public uint Offset, Length;
        public bool End, Chain;
        public Slot[]? ChainTo;
    }

    private readonly List<Slot[]> _chunks = [];
    private (Slot[] Chunk, int Index)? _prv; // sgt_append->prv
    private (Slot[] Chunk, int Index)? _sgl;

    public uint Nents { get; private set; }
    public uint TotalNents { get; private set; }
    public IReadOnlyList<int> ChunkSizes => _chunks.Select(c => c.Length).ToList();

    public int Append(ulong[] pages, uint offset, ulong size, uint maxSegment, uint leftPages)
    {
        uint chunks, curPage, segLen, i, prvLen = 0;
        uint addedNents = 0;
        var s = _prv;
        var p = 0; // the pages pointer
        var nPages = (uint)pages.Length;

        maxSegment = maxSegment & ~(PageSize - 1);
        if (maxSegment < PageSize) return -EINVAL;

        if (_prv is { } prvRef)
        {
            var prv = prvRef.Chunk[prvRef.Index];
            if (offset != 0) return -EINVAL;
            prvLen = prv.Length;
            var nextPfn = (prv.Pfn * PageSize + prv.Offset + prvLen) / PageSize;
            if (pages[0] == nextPfn)
            {
                var lastPg = nextPfn - 1;
                while (nPages > 0 && pages[p] == lastPg + 1)
                {
                    if (prv.Length + PageSize > maxSegment) break;
                    prv.Length += PageSize;
                    lastPg = pages[p];
                    p++;
                    nPages--;
                }
                if (nPages == 0) goto Out;
            }
        }

        chunks = 1;
        segLen = 0;
        for (i = 1; i < nPages; i++)
        {
            segLen += PageSize;
            if (segLen >= maxSegment || pages[p + i] != pages[p + i - 1] + 1)
            {
                chunks++;
                segLen = 0;
            }
        }

        curPage = 0;
        for (i = 0; i < chunks; i++)
        {
            uint j, chunkSize;
            segLen = 0;
            for (j = curPage + 1; j < nPages; j++)
            {
                segLen += PageSize;
                if (segLen >= maxSegment || pages[p + j] != pages[p + j - 1] + 1) break;
            }
            s = GetNextSg(s, chunks - i + leftPages);
            chunkSize = ((j - curPage) << 12) - offset;
            var sg = s.Value.Chunk[s.Value.Index];
            sg.Pfn = pages[p + curPage];
            sg.Offset = offset;
            sg.Length = (uint)Math.Min(size, chunkSize);
            addedNents++;
            size = unchecked(size - chunkSize);
            offset = 0;
            curPage = j;
        }
        Nents += addedNents;
        _prv = s;
    Out:
        if (leftPages == 0 && s is { } end) end.Chunk[end.Index].End = true;
        return 0;
    }

    private (Slot[] Chunk, int Index) GetNextSg((Slot[] Chunk, int Index)? cur, ulong neededSges)
    {
        (Slot[] Chunk, int Index)? next = null;
        if (cur is { } c)
        {
            next = SgNext(c);
            if (next is null) throw new InvalidOperationException("sg_next() returned NULL: the kernel would oops");
            var n = next.Value;
            if (!n.Chunk[n.Index].End || neededSges == 1) return n;
        }

        var allocSize = (int)Math.Min(neededSges, SgMaxSingleAlloc);
        var newSg = new Slot[allocSize];
        for (var k = 0; k < allocSize; k++) newSg[k] = new Slot();
        newSg[^1].End = true; // sg_init_table
        _chunks.Add(newSg);
        if (cur is not null)
        {
            TotalNents += (uint)allocSize - 1;
            var link = next!.Value.Chunk[next.Value.Index]; // __sg_chain
            link.Chain = true;
            link.End = false;
            link.ChainTo = newSg;
        }
        else
        {
            _sgl = (newSg, 0);
            TotalNents = (uint)allocSize;
        }
        return (newSg, 0);
    }

    private static (Slot[] Chunk, int Index)? SgNext((Slot[] Chunk, int Index) sg)
    {
        if (sg.Chunk[sg.Index].End) return null;
        var next = (sg.Chunk, sg.Index + 1);
        var slot = next.Chunk[next.Item2];
        return slot.Chain ? (slot.ChainTo!, 0) : next;
    }

    /// <summary>for_each_sg over nents entries: (sg_phys, length).</summary>
    public IEnumerable<(ulong Addr, ulong Len)> Entries()
    {
        var sg = _sgl;
        for (var k = 0; k < Nents && sg is { } cur; k++)
        {
            var slot = cur.Chunk[cur.Index];
            yield return (slot.Pfn * PageSize + slot.Offset, slot.Length);
            sg = SgNext(cur);
        }
    }
}

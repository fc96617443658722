using Phyr.Domain.Memory;

namespace Phyr.Domain.Iommu;

/// <summary>
/// A level-1 IO page table's 4 KiB leaves that map consecutive pages of one phyr list, held as a window on the list
/// rather than as a copy of its frames: dma_map_phyrs lays a list's phyrs out at consecutive IOVAs, so leaf by leaf the
/// table holds what the list holds, page by page (a terabyte's list and its leaves would otherwise be ~1 GB each).
/// Entries <see cref="First"/> .. <see cref="First"/> + <see cref="Count"/> - 1 are the list's pages from page
/// <c>startOffset</c> of range <c>startRun</c> on; every other entry is empty. The list is persistent (a list never
/// changes what it holds), so the window stays exact; any other change to the table makes it a
/// <see cref="PfnTable"/> first (<see cref="Materialize"/>). Single owner, like the table.
/// </summary>
internal sealed class ListLeaves
{
    private readonly RangeList _list;
    private readonly int _startRun;
    private readonly ulong _startOffset;

    // Where the window ends: the range its last page is in and the pages of that range it takes.
    private int _endRun;
    private ulong _endOffset;

    // The range the last look-up ended in, and the window position of that range's first page (negative for the first
    // range when the window starts inside it): look-ups go through a table in order, so most take one step.
    private int _cursorRun;
    private long _cursorPos;

    public ListLeaves(RangeList list, int first, int run, ulong offset, int count)
    {
        _list = list;
        First = first;
        _startRun = run;
        _startOffset = offset;
        (_endRun, _endOffset) = (run, offset);
        (_cursorRun, _cursorPos) = (run, -(long)offset);
        Append(run, offset, count);
    }

    public int First { get; }
    public int Count { get; private set; }

    /// <summary>Whether a chunk of <paramref name="list"/>'s pages from page <paramref name="offset"/> of range
    /// <paramref name="run"/>, written at <paramref name="entry"/>, carries the window on.</summary>
    public bool Continues(RangeList list, int entry, int run, ulong offset) =>
        ReferenceEquals(list, _list) && entry == First + Count
        && (run == _endRun && offset == _endOffset || run == _endRun + 1 && offset == 0 && _endOffset == Pages(_endRun));

    /// <summary>The window takes <paramref name="count"/> more pages, from page <paramref name="offset"/> of range <paramref name="run"/>.</summary>
    public void Append(int run, ulong offset, int count)
    {
        Count += count;
        (_endRun, _endOffset) = (run, offset + (ulong)count);
    }

    /// <summary>Entry <paramref name="i"/> as a <see cref="PfnTable"/> holds it: the frame + 1, or 0 when empty.</summary>
    public ulong this[int i]
    {
        get
        {
            if (i < First || i >= First + Count) return 0;
            long pos = i - First;
            if (pos < _cursorPos) (_cursorRun, _cursorPos) = (_startRun, -(long)_startOffset);
            while (pos >= _cursorPos + (long)Pages(_cursorRun))
            {
                _cursorPos += (long)Pages(_cursorRun);
                _cursorRun++;
            }
            return (_list[_cursorRun].Addr >> Page.Shift) + (ulong)(pos - _cursorPos) + 1;
        }
    }

    /// <summary>The same entries in a table of their own, which may then change.</summary>
    public PfnTable Materialize()
    {
        var table = new PfnTable();
        for (var i = First; i < First + Count; i++) table[i] = this[i];
        return table;
    }

    private ulong Pages(int run) => _list[run].Len >> Page.Shift;
}

using Phyr.Domain.Memory;

namespace Phyr.Domain.Mm;

/// <summary>Which lock a hold is on: a PTE table's split lock, a huge entry's lock, mmap_lock, or a VMA's lock.</summary>
public enum GupLock { Pte, Huge, Mmap, Vma }

/// <summary>
/// One lock hold of a GUP call, in order: <paramref name="Key"/> names the lock (the PTE table's
/// va &gt;&gt; 21, a huge entry's va &gt;&gt; 21 too, the VMA id; 0 for mmap_lock); <paramref name="Entries"/> page-table
/// entries were processed under it, pinning <paramref name="Pages"/> pages with <paramref name="Atomics"/>
/// pin atomics on <paramref name="Lines"/> struct page lines and adding <paramref name="Outputs"/> output entries. mmap_lock and VMA-lock holds have no entries of their own: they span the rest of the call.
/// <paramref name="Repeat"/> holds exactly alike follow one another (the slow path's lock per lookup: each 4 KiB subpage of
/// a THP before 57edfcfd3419, each page of a 4 KiB run): the lock is taken, the work done and the lock released that many
/// times, in order — one record, as many acquisitions.
/// </summary>
public readonly record struct LockHold(GupLock Lock, ulong Key, long Entries, long Pages = 0, long Atomics = 0, long Outputs = 0, LineCount Lines = default, long Repeat = 1)
{
    /// <summary>Whether <paramref name="other"/> is this hold again (everything alike but the repeat count).</summary>
    public bool SameAs(in LockHold other) => other with { Repeat = Repeat } == this;
}

/// <summary>What one GUP call did, counted the way the thread argues about it.</summary>
public sealed record GupAccounting
{
    /// <summary>Walks from the top of the page tables (pgd -> ... -> pte): one per call, plus one per slow-path lookup.</summary>
    public long Walks { get; init; }

    /// <summary>Slow-path lookups (follow_page_mask calls): one per page, or per huge entry when it yields the rest of its folio.</summary>
    public long Lookups { get; init; }

    /// <summary>Runs of pages of one folio the call took (a folio continuing from the last call counts once).</summary>
    public long FolioRuns { get; init; }

    /// <summary>Struct page lines the fast path's grabs read.</summary>
    public LineCount FastPathLines { get; init; }

    /// <summary>What FOLL_LONGTERM's check over the output did (counted whether or not the call was longterm; charged only if it was).</summary>
    public ScanCount LongtermScan { get; init; }

    public long FastPathPages { get; init; }
    public long FastPathAtomics { get; init; }
    public long FastPathOutputs { get; init; }

    /// <summary>Page-table entries the fast path read (a huge entry counts once).</summary>
    public long FastPathEntries { get; init; }
    public long LockedPathPages { get; init; }
    public long PteLockAcquisitions { get; init; }
    public long HugeLockAcquisitions { get; init; }
    public long MmapLockAcquisitions { get; init; }
    public long VmaLockAcquisitions { get; init; }
    public long Faults { get; init; }

    /// <summary>Pages pinned (device memory has no struct page and is described without a pin).</summary>
    public long PagesPinned { get; init; }

    /// <summary>Atomics on folio refcounts / pincounts.</summary>
    public long PinAtomics { get; init; }

    /// <summary>Entries of the call's output (pages, or phyrs).</summary>
    public long Entries { get; init; }

    public IReadOnlyList<LockHold> Holds { get; init; } = [];
}

/// <summary>
/// The outcome of one pin_user_pages / get_user_phyrs call starting at <paramref name="Start"/>: the
/// next address to ask for, the page array or the phyrs, and the accounting.
/// </summary>
public sealed record GupCall(ulong Start, ulong Next, IReadOnlyList<ulong> Pages, IReadOnlyList<PhysRange> Phyrs,
    GupAccounting Accounting)
{
    public ulong Bytes => Next - Start;

    /// <summary>The output as physical ranges: a page array's pages merged where contiguous, or the phyrs; a new array each time (the caller may write it).</summary>
    public PhysRange[] Ranges()
    {
        if (Pages.Count == 0) return [.. Phyrs];
        // PhysRanges.Normalize of one page per entry, in two passes (count the runs, then fill them): no builder to grow.
        var runs = 1;
        for (var i = 1; i < Pages.Count; i++)
            if (Pages[i] != Pages[i - 1] + 1) runs++;
        var ranges = new PhysRange[runs];
        var n = 0;
        ranges[0] = new PhysRange(Pages[0] << Page.Shift, Page.Size);
        for (var i = 1; i < Pages.Count; i++)
        {
            if (Pages[i] == Pages[i - 1] + 1) ranges[n] = ranges[n] with { Len = ranges[n].Len + Page.Size };
            else ranges[++n] = new PhysRange(Pages[i] << Page.Shift, Page.Size);
        }
        return ranges;
    }
}

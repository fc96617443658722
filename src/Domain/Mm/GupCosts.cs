namespace Phyr.Domain.Mm;

/// <summary>
/// What each of GUP's counted operations costs, in ns, made by <see cref="Costs.CostModel.Derive"/> from the machine's
/// hardware facts and the kernel code's cycles (docs/gup.md, "The cost model"): a walk from the top is four loads of
/// upper levels in L1; a PTE read is an eighth of a streamed line of the PTE table; a pin or put atomic is a locked RMW;
/// a struct page line costs what its state says — hot (touched by this call: L2), streamed (the next line of a run, or
/// an LLC-resident memmap), missed (a new run: DRAM latency, as a locked RMW keeps later loads waiting); a loop
/// iteration of the kernel's code costs its cycles. Every value is a product of those, none fitted to a case; a
/// cost-model file may still override any (<see cref="Costs.CostModelFile"/>).
/// </summary>
public sealed record GupCosts
{
    /// <summary>One walk from the top to the PTE table (or the huge entry): four dependent loads of upper levels in L1.</summary>
    public double WalkNs { get; init; } = 10;

    /// <summary>The code of one slow-path lookup (__get_user_pages' loop body, follow_page_mask's descent, follow_page_pte).</summary>
    public double LookupNs { get; init; } = 25;

    /// <summary>The code of one gup_fast entry (gup_fast_pte_range's loop body, or a leaf's).</summary>
    public double FastEntryNs { get; init; } = 1;

    /// <summary>Reading one PTE (or huge entry): an eighth of a streamed line of the table.</summary>
    public double PteNs { get; init; } = 1;

    /// <summary>One atomic on a folio's refcount or _pincount (a locked RMW on a line this CPU has).</summary>
    public double PinAtomicNs { get; init; } = 8;

    /// <summary>A struct page line this CPU touched moments ago (in L2).</summary>
    public double LineHotNs { get; init; } = 5;

    /// <summary>A struct page line next to the last one read (the prefetcher streams it), or in an LLC that holds the memmap.</summary>
    public double LineStreamedNs { get; init; } = 5;

    /// <summary>A struct page line at a new place: its latency, from DRAM (or the LLC when the memmap fits in it).</summary>
    public double LineMissNs { get; init; } = 90;

    /// <summary>One iteration of a kernel array loop: storing an output entry, or one entry of a scan (longterm check, unpin).</summary>
    public double EntryNs { get; init; } = 1;

    /// <summary>spin_lock + spin_unlock of a page-table lock this CPU has in cache: one locked cmpxchg, the unlock a plain store.</summary>
    public double LocalLockNs { get; init; } = 8;

    /// <summary>One page fault GUP takes (handle_mm_fault): its code and the folio's clear (a 4 KiB page, or a whole 2 MiB / 1 GiB folio).</summary>
    public double FaultNs { get; init; } = 1000;

    public static readonly GupCosts Default = new();

    /// <summary>CPU time of a call outside its lock holds: walks from the top, slow-path lookups' code, the lockless fast path, the FOLL_LONGTERM scan and the faults (under mmap_lock, outside the PTE lock).</summary>
    public long Unlocked(GupAccounting a, bool longterm) => Ns(
        a.Walks * WalkNs + a.Lookups * LookupNs
        + a.FastPathEntries * (FastEntryNs + PteNs) + a.FastPathAtomics * PinAtomicNs + Lines(a.FastPathLines) + a.FastPathOutputs * EntryNs
        + (longterm ? LongtermScan(a.LongtermScan) : 0) + a.Faults * FaultNs);

    /// <summary>The walks from the top a call did (part of its cost breakdown).</summary>
    public long WalksTime(GupAccounting a) => Ns(a.Walks * WalkNs);

    /// <summary>The pin atomics a call took, on the fast path and under locks.</summary>
    public long AtomicsTime(GupAccounting a) => Ns(a.PinAtomics * PinAtomicNs);

    /// <summary>Time spent under a PTE or huge-entry lock hold: the entries read, the pins' lines and atomics, the stores.</summary>
    public long UnderLock(LockHold h) => Ns(h.Entries * PteNs + h.Atomics * PinAtomicNs + Lines(h.Lines) + h.Outputs * EntryNs);

    /// <summary>collect_longterm_unpinnable_folios over the call's output: a loop iteration per entry, a line per page_folio().</summary>
    public double LongtermScan(ScanCount s) => s.Entries * EntryNs + Lines(s.Lines);

    /// <summary>unpin_user_pages: a loop iteration per page scanned, the lines page_folio() reads, an atomic per put atomic.</summary>
    public long Unpin(UnpinCount u) => Ns(u.Scanned * EntryNs + Lines(u.Lines) + u.Atomics * PinAtomicNs);

    /// <summary>A folio's line another core of the socket wrote last (a modified-line transfer).</summary>
    public double LineTransferNs { get; init; } = 50;

    /// <summary>The same from another socket.</summary>
    public double LineCrossTransferNs { get; init; } = 130;

    public double Lines(LineCount l) => l.Hot * LineHotNs + l.Streamed * LineStreamedNs + l.Missed * LineMissNs
                                        + l.Transferred * LineTransferNs + l.CrossTransferred * LineCrossTransferNs;

    private static long Ns(double ns) => (long)Math.Round(ns, MidpointRounding.AwayFromZero);
}

/// <summary>Where a folio's refcount line was when a CPU's atomic wrote it.</summary>
public enum LineSource { Local, SameSocket, CrossSocket }

/// <summary>Struct page lines touched, by the state they were in; a line another CPU wrote last is a transfer.</summary>
public readonly record struct LineCount(long Hot = 0, long Streamed = 0, long Missed = 0, long Transferred = 0, long CrossTransferred = 0)
{
    public static LineCount operator +(LineCount a, LineCount b) => new(a.Hot + b.Hot, a.Streamed + b.Streamed, a.Missed + b.Missed,
        a.Transferred + b.Transferred, a.CrossTransferred + b.CrossTransferred);

    public static LineCount operator -(LineCount a, LineCount b) => new(a.Hot - b.Hot, a.Streamed - b.Streamed, a.Missed - b.Missed,
        a.Transferred - b.Transferred, a.CrossTransferred - b.CrossTransferred);

    public long Total => Hot + Streamed + Missed + Transferred + CrossTransferred;

    /// <summary>A line moved here from another CPU (none when it was local).</summary>
    public static LineCount From(LineSource source) => source switch
    {
        LineSource.SameSocket => new(Transferred: 1),
        LineSource.CrossSocket => new(CrossTransferred: 1),
        _ => default,
    };
}

/// <summary>A FOLL_LONGTERM scan of a call's output: loop iterations and the lines page_folio() read.</summary>
public readonly record struct ScanCount(long Entries = 0, LineCount Lines = default);

/// <summary>
/// An unpin's work: pages its loop visited, the struct page lines it read, the atomics (the puts', and three for each folio
/// it marked dirty), the puts, the folios it marked dirty.
/// </summary>
public readonly record struct UnpinCount(long Pages, long Puts, long Scanned = 0, long Atomics = 0, LineCount Lines = default, long Dirtied = 0);

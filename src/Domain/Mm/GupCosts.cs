namespace Phyr.Domain.Mm;

/// <summary>
/// Virtual-time costs of GUP's steps, in ns. Calibrated so that pin_user_pages' locked path for 4 KiB pages,
/// 512 per call — gup_test's PIN_LONGTERM_BENCHMARK, ~62 ns/page in kernel commit a03db236aebf — costs
/// 62 ns/page: a walk from the top per lookup (10) + the PTE table's lock, uncontended and in the CPU's
/// cache (10) + reading the PTE (4) + the pin atomic (30) + storing the entry (1) + the FOLL_LONGTERM zone
/// check (7); unpin is its ~15 ns/page. The split between the steps is our assumption (no published source
/// splits it; `phyr run calibration` checks the totals); the lockless fast path then comes out at 42 ns/page. Stores and longterm checks are
/// per output entry (a page, or a phyr); atomics and puts per pin atomic (per page, or per folio).
/// </summary>
public sealed record GupCosts
{
    /// <summary>One walk from pgd down to the PTE table (or the huge entry): four dependent, cached loads.</summary>
    public long WalkNs { get; init; } = 10;

    /// <summary>Reading and checking one PTE (or one huge entry).</summary>
    public long PteNs { get; init; } = 4;

    /// <summary>One atomic on a folio's refcount/pincount.</summary>
    public long PinAtomicNs { get; init; } = 30;

    /// <summary>FOLL_LONGTERM: checking an output entry's memory is not in ZONE_MOVABLE/CMA.</summary>
    public long LongtermCheckNs { get; init; } = 7;

    /// <summary>Storing one output entry (a page pointer or a phyr).</summary>
    public long EntryStoreNs { get; init; } = 1;

    /// <summary>spin_lock + spin_unlock of a page-table lock only this CPU uses (its line stays in the CPU's cache).</summary>
    public long LocalLockNs { get; init; } = 10;

    /// <summary>unpin_user_page(s)_dirty_lock: one put per pin atomic taken (a page, or a whole folio).</summary>
    public long UnpinNs { get; init; } = 15;

    public static readonly GupCosts Default = new();

    /// <summary>CPU time of a call outside its lock holds: the walks from the top and the lockless fast path.</summary>
    public long Unlocked(GupAccounting a, bool longterm) =>
        a.Walks * WalkNs + a.FastPathEntries * PteNs + a.FastPathAtomics * PinAtomicNs + a.FastPathOutputs * PerOutput(longterm);

    /// <summary>The walks from the top a call did (part of its cost breakdown).</summary>
    public long WalksTime(GupAccounting a) => a.Walks * WalkNs;

    /// <summary>The pin atomics a call took, on the fast path and under locks.</summary>
    public long AtomicsTime(GupAccounting a) => a.PinAtomics * PinAtomicNs;

    /// <summary>Time spent under a PTE or huge-entry lock hold.</summary>
    public long UnderLock(LockHold h, bool longterm) =>
        h.Entries * PteNs + h.Atomics * PinAtomicNs + h.Outputs * PerOutput(longterm);

    private long PerOutput(bool longterm) => EntryStoreNs + (longterm ? LongtermCheckNs : 0);
}

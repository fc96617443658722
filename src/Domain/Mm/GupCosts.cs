namespace Phyr.Domain.Mm;

/// <summary>
/// Virtual-time costs of GUP's steps, in ns. Defaults: for 4 KiB pages into a page array the per-page sum
/// (PTE read 8 + pin atomic 45 + output store 1 + longterm check 8 = 62 ns) matches the published longterm
/// pin, 512 per call (~62 ns/page; kernel commit a03db236aebf), and unpin its ~15 ns/page; how the sum
/// splits between the steps is our assumption until calibration (issue 5) fits it. A walk from the top is
/// four dependent page-table loads that mostly hit the cache. Stores and longterm checks are per output
/// entry (a page, or a phyr); atomics and puts per pin atomic (per page, or per folio when batched).
/// </summary>
public sealed record GupCosts
{
    /// <summary>One walk from pgd down to the PTE table (or the huge entry).</summary>
    public long WalkNs { get; init; } = 40;

    /// <summary>Reading and checking one PTE (or one huge entry).</summary>
    public long PteNs { get; init; } = 8;

    /// <summary>One atomic on a folio's refcount/pincount (its struct page line is rarely in cache).</summary>
    public long PinAtomicNs { get; init; } = 45;

    /// <summary>FOLL_LONGTERM: checking an output entry's memory is not in ZONE_MOVABLE/CMA.</summary>
    public long LongtermCheckNs { get; init; } = 8;

    /// <summary>Storing one output entry (a page pointer or a phyr).</summary>
    public long EntryStoreNs { get; init; } = 1;

    /// <summary>unpin_user_page(s)_dirty_lock: one put per pin atomic taken (a page, or a whole folio).</summary>
    public long UnpinNs { get; init; } = 15;

    public static readonly GupCosts Default = new();

    /// <summary>CPU time of a call outside its lock holds: the walks from the top and the lockless fast path.</summary>
    public long Unlocked(GupAccounting a, bool longterm) =>
        a.Walks * WalkNs + a.FastPathEntries * PteNs + a.FastPathAtomics * PinAtomicNs + a.FastPathOutputs * PerOutput(longterm);

    /// <summary>Time spent under a PTE or huge-entry lock hold.</summary>
    public long UnderLock(LockHold h, bool longterm) =>
        h.Entries * PteNs + h.Atomics * PinAtomicNs + h.Outputs * PerOutput(longterm);

    private long PerOutput(bool longterm) => EntryStoreNs + (longterm ? LongtermCheckNs : 0);
}

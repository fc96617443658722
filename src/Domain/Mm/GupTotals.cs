namespace Phyr.Domain.Mm;

/// <summary>A CPU's GUP accounting summed over its calls.</summary>
public readonly record struct GupTotals(long Walks, long FastPathPages, long LockedPathPages, long PteLocks, long HugeLocks, long MmapLocks,
    long VmaLocks, long Faults, long PagesPinned, long PinAtomics, long Entries)
{
    public GupTotals Add(GupAccounting a) => new(Walks + a.Walks, FastPathPages + a.FastPathPages, LockedPathPages + a.LockedPathPages,
        PteLocks + a.PteLockAcquisitions, HugeLocks + a.HugeLockAcquisitions, MmapLocks + a.MmapLockAcquisitions, VmaLocks + a.VmaLockAcquisitions,
        Faults + a.Faults, PagesPinned + a.PagesPinned, PinAtomics + a.PinAtomics, Entries + a.Entries);
}

namespace Phyr.Domain.Mm;

/// <summary>A CPU's GUP accounting summed over its calls.</summary>
/// <remarks>Lock acquisitions are counted where they happen (at the lock components and the caller's private locks), not here.</remarks>
public readonly record struct GupTotals(long Walks, long FastPathPages, long LockedPathPages, long Faults, long PagesPinned, long PinAtomics, long Entries)
{
    public GupTotals Add(GupAccounting a) => new(Walks + a.Walks, FastPathPages + a.FastPathPages, LockedPathPages + a.LockedPathPages,
        Faults + a.Faults, PagesPinned + a.PagesPinned, PinAtomics + a.PinAtomics, Entries + a.Entries);
}

namespace Phyr.Domain.Iommu;

/// <summary>What one alloc_iova_fast / free_iova_fast did, for the cost model.</summary>
public readonly record struct IovaOp(ulong Pfn, ulong Size, RcacheOutcome Cache, bool TookTreeLock, long TreeSteps);

/// <summary>
/// An IOMMU domain's IOVA space as dma-iommu uses it: <c>alloc_iova_fast</c> rounds sizes under 32 pages
/// up to a power of two, tries the CPU's cache, and on a miss allocates size-aligned from the rbtree
/// (under its spinlock); <c>free_iova_fast</c> caches what it can and frees the rest to the rbtree.
/// </summary>
public sealed class IovaDomain(int granuleShift = 12)
{
    private readonly IovaAllocator _tree = new(granuleShift);
    private readonly IovaCache _cache = new();

    public IovaAllocator Tree => _tree;
    public IovaCache Cache => _cache;

    /// <summary>alloc_iova_fast(size, limit_pfn); throws when the space is exhausted.</summary>
    public IovaOp AllocFast(int cpu, ulong size, ulong limitPfn)
    {
        if (size < 1UL << (IovaCache.RangeCacheMaxSize - 1)) size = System.Numerics.BitOperations.RoundUpToPowerOf2(size);
        var (pfn, outcome) = _cache.Get(cpu, size, limitPfn);
        if (pfn is { } hit) return new IovaOp(hit, size, outcome, false, 0);
        var range = _tree.Alloc(size, limitPfn) ?? throw new InvalidOperationException(
            $"IOVA space exhausted: no {size}-page range below pfn 0x{limitPfn:x}");
        return new IovaOp(range.PfnLo, size, outcome, true, _tree.Steps);
    }

    /// <summary>free_iova_fast(pfn, size).</summary>
    public IovaOp FreeFast(int cpu, ulong pfn, ulong size)
    {
        var (cached, outcome) = _cache.Insert(cpu, pfn, size);
        if (cached) return new IovaOp(pfn, size, outcome, false, 0);
        _tree.Free(pfn);
        return new IovaOp(pfn, size, outcome, true, 0);
    }
}

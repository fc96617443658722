using System.Numerics;

namespace Phyr.Domain.Iommu;

/// <summary>An allocated IOVA range [PfnLo, PfnHi] in IOVA pages (the domain's granule).</summary>
public readonly record struct IovaRange(ulong PfnLo, ulong PfnHi)
{
    public ulong Size => PfnHi - PfnLo + 1;
}

/// <summary>
/// The IOVA rbtree allocator of drivers/iommu/iova.c: <c>alloc_iova</c> (<c>__alloc_and_insert_iova_range</c>)
/// and <c>free_iova</c>. Ranges sit in a tree ordered by address with an anchor node at ~0. A search walks
/// down from a cached node — the last range allocated, or the successor of a range freed at or above it;
/// one for limits up to 4 GiB (cached32) and one above — and, when that finds no room, once more from the
/// limit down to where the first walk began. Size-aligned allocations are aligned to the size rounded up to
/// a power of two. A failed 32-bit allocation remembers its size so that no larger one searches again
/// until something below 4 GiB is freed (max32_alloc_size). <see cref="Steps"/> counts the nodes an
/// allocation visited: the work done under the rbtree spinlock.
/// </summary>
public sealed class IovaAllocator
{
    private const ulong AnchorPfn = ulong.MaxValue;
    private static readonly IovaRange Anchor = new(AnchorPfn, AnchorPfn);

    private readonly SortedSet<IovaRange> _tree = new(Comparer<IovaRange>.Create((a, b) => a.PfnLo.CompareTo(b.PfnLo)));
    private IovaRange _cached = Anchor, _cached32 = Anchor;
    private ulong _max32AllocSize;

    /// <param name="granuleShift">log2 of the IOVA page (12 for 4 KiB).</param>
    /// <param name="startPfn">The lowest pfn handed out (at least 1).</param>
    public IovaAllocator(int granuleShift = 12, ulong startPfn = 1)
    {
        StartPfn = Math.Max(1, startPfn);
        Dma32BitPfn = 1UL << (32 - granuleShift);
        _max32AllocSize = Dma32BitPfn;
        _tree.Add(Anchor);
    }

    public ulong StartPfn { get; }
    public ulong Dma32BitPfn { get; }
    public int Count => _tree.Count - 1;

    /// <summary>Tree nodes the last allocation visited.</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// alloc_iova(size, limit_pfn, size_aligned): a range ending at or below <paramref name="limitPfn"/>
    /// (inclusive, as the DMA mask gives it), or null when none fits (the kernel's NULL).
    /// </summary>
    public IovaRange? Alloc(ulong size, ulong limitPfn, bool sizeAligned = true)
    {
        if (size == 0) throw new ArgumentOutOfRangeException(nameof(size), "an IOVA allocation needs at least one page");
        limitPfn += 1; // __alloc_and_insert_iova_range takes the limit exclusive
        var alignMask = sizeAligned ? ulong.MaxValue << FlsLong(size - 1) : ulong.MaxValue;
        ulong highPfn = limitPfn, lowPfn = StartPfn, newPfn;
        Steps = 0;

        if (limitPfn <= Dma32BitPfn && size >= _max32AllocSize) return null;

        IovaRange? curr = limitPfn <= Dma32BitPfn ? _cached32 : _cached;
        var retryPfn = curr.Value.PfnHi;
        IovaRange? prev;
        while (true)
        {
            do
            {
                highPfn = Math.Min(highPfn, curr!.Value.PfnLo);
                newPfn = unchecked(highPfn - size) & alignMask;
                prev = curr;
                curr = Prev(curr.Value);
                Steps++;
            } while (curr is { } c && newPfn <= c.PfnHi && newPfn >= lowPfn);

            if (highPfn >= size && newPfn >= lowPfn) break;
            if (lowPfn == StartPfn && retryPfn < limitPfn)
            {
                highPfn = limitPfn;
                lowPfn = retryPfn + 1;
                curr = FindLimit(limitPfn);
                continue;
            }
            _max32AllocSize = size;
            return null;
        }

        var range = new IovaRange(newPfn, newPfn + size - 1);
        _tree.Add(range);
        if (range.PfnHi < Dma32BitPfn) _cached32 = range; // __cached_rbnode_insert_update
        else _cached = range;
        return range;
    }

    /// <summary>free_iova: removes the range starting at <paramref name="pfnLo"/>.</summary>
    public void Free(ulong pfnLo)
    {
        if (!_tree.TryGetValue(new IovaRange(pfnLo, pfnLo), out var free) || free.PfnLo == AnchorPfn)
            throw new InvalidOperationException($"free_iova: no IOVA range starts at pfn 0x{pfnLo:x}");
        // __cached_rbnode_delete_update
        if (free == _cached32 || (free.PfnHi < Dma32BitPfn && free.PfnLo >= _cached32.PfnLo)) _cached32 = Next(free);
        if (free.PfnLo < Dma32BitPfn) _max32AllocSize = Dma32BitPfn;
        if (free.PfnLo >= _cached.PfnLo) _cached = Next(free);
        _tree.Remove(free);
    }

    /// <summary>The allocated range containing <paramref name="pfn"/>, if any.</summary>
    public IovaRange? Find(ulong pfn)
    {
        var below = _tree.GetViewBetween(new IovaRange(0, 0), new IovaRange(pfn, pfn));
        return below.Count > 0 && below.Max is var r && r.PfnLo != AnchorPfn && r.PfnHi >= pfn ? r : null;
    }

    /// <summary>iova_find_limit: for limits above 4 GiB the anchor; below, the lowest node starting at or above the limit.</summary>
    private IovaRange FindLimit(ulong limitPfn) =>
        limitPfn > Dma32BitPfn ? Anchor : _tree.GetViewBetween(new IovaRange(limitPfn, 0), Anchor).Min;

    private IovaRange? Prev(IovaRange node)
    {
        if (node.PfnLo == 0) return null;
        var view = _tree.GetViewBetween(new IovaRange(0, 0), new IovaRange(node.PfnLo - 1, 0));
        return view.Count > 0 ? view.Max : null;
    }

    /// <summary>rb_next; the anchor is the last node (and what a cached pointer falls back to here).</summary>
    private IovaRange Next(IovaRange node) =>
        node.PfnLo == AnchorPfn ? Anchor : _tree.GetViewBetween(new IovaRange(node.PfnLo + 1, 0), Anchor).Min;

    /// <summary>fls_long(x): the 1-based index of the highest set bit, 0 for 0.</summary>
    private static int FlsLong(ulong x) => x == 0 ? 0 : 64 - BitOperations.LeadingZeroCount(x);
}

using System.Numerics;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>A naturally aligned block of 2^Order base pages starting at Pfn (a buddy block).</summary>
public readonly record struct NaturalBlock(ulong Pfn, int Order)
{
    /// <summary>The order field is 5 bits in Gunthorpe's packed word (bits 56:52).</summary>
    public const int MaxOrder = 31;

    public ulong Pages => 1UL << Order;

    /// <summary>
    /// Greedy buddy split of [pfn, pfn + count): at each step the largest block that is aligned at the
    /// current pfn and fits. [3, 11) gives 3, 4-7, 8-9, 10.
    /// </summary>
    public static IEnumerable<NaturalBlock> Split(ulong pfn, ulong count)
    {
        var end = pfn + count;
        while (pfn < end)
        {
            var align = pfn == 0 ? MaxOrder : Math.Min(MaxOrder, BitOperations.TrailingZeroCount(pfn));
            var fit = 63 - BitOperations.LeadingZeroCount(end - pfn);
            var order = Math.Min(align, fit);
            yield return new NaturalBlock(pfn, order);
            pfn += 1UL << order;
        }
    }

    public static long Count(ulong pfn, ulong count)
    {
        long n = 0;
        foreach (var _ in Split(pfn, count)) n++;
        return n;
    }
}

using System.Numerics;

namespace Phyr.Domain.Iommu;

/// <summary>Where <see cref="IovaCache"/> found or put an IOVA.</summary>
public enum RcacheOutcome
{
    /// <summary>Sizes of 32 pages and more are not cached: the rbtree serves them.</summary>
    NotCached,
    Loaded,
    /// <summary>The CPU's loaded magazine was empty (or full) and its previous one was swapped in.</summary>
    Prev,
    /// <summary>Both CPU magazines were empty (full): one came from (went to) the shared depot, under its lock.</summary>
    Depot,
    Miss,
}

/// <summary>
/// The per-CPU IOVA caches of drivers/iommu/iova.c (<c>iova_rcache_get</c> / <c>iova_rcache_insert</c>):
/// for each size class 2^0..2^5 pages, every CPU has a loaded and a previous magazine of up to 127 pfns,
/// and full magazines go to a shared depot. Get: pop from loaded; else swap in prev; else take a depot
/// magazine; else miss. Insert: push to loaded; else swap prev in if it has room; else push loaded to the
/// depot and start an empty one. A magazine pop takes the last pfn that fits under the limit.
/// Cached IOVAs stay allocated in the rbtree. The depot's delayed trimming (IOVA_DEPOT_DELAY) is not
/// modelled: magazines stay in the depot.
/// </summary>
public sealed class IovaCache
{
    public const int MagazineSize = 127;

    /// <summary>IOVA_RANGE_CACHE_MAX_SIZE: size classes 0..5 (1..32 pages) are cached.</summary>
    public const int RangeCacheMaxSize = 6;

    private sealed class CpuCaches
    {
        public List<ulong> Loaded = new(MagazineSize);
        public List<ulong> Prev = new(MagazineSize);
    }

    private readonly Dictionary<(int LogSize, int Cpu), CpuCaches> _cpu = [];
    private readonly Stack<List<ulong>>[] _depot = Enumerable.Range(0, RangeCacheMaxSize).Select(_ => new Stack<List<ulong>>()).ToArray();

    public int DepotMagazines(int logSize) => _depot[logSize].Count;

    /// <summary>order_base_2(size): the size class of <paramref name="size"/> pages.</summary>
    public static int LogSize(ulong size) => size <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount(size - 1);

    /// <summary>A cached pfn for <paramref name="size"/> pages whose range ends at or below <paramref name="limitPfn"/>.</summary>
    public (ulong? Pfn, RcacheOutcome Outcome) Get(int cpu, ulong size, ulong limitPfn)
    {
        var log = LogSize(size);
        if (log >= RangeCacheMaxSize) return (null, RcacheOutcome.NotCached);
        var c = Caches(log, cpu);
        RcacheOutcome outcome;
        if (c.Loaded.Count > 0) outcome = RcacheOutcome.Loaded;
        else if (c.Prev.Count > 0)
        {
            (c.Loaded, c.Prev) = (c.Prev, c.Loaded);
            outcome = RcacheOutcome.Prev;
        }
        else if (_depot[log].Count > 0)
        {
            c.Loaded = _depot[log].Pop();
            outcome = RcacheOutcome.Depot;
        }
        else return (null, RcacheOutcome.Miss);
        var pfn = Pop(c.Loaded, limitPfn + 1 - size);
        return pfn is null ? (null, RcacheOutcome.Miss) : (pfn, outcome);
    }

    /// <summary>Caches <paramref name="pfn"/> (a range of <paramref name="size"/> pages) for its CPU; false if not cacheable.</summary>
    public (bool Cached, RcacheOutcome Outcome) Insert(int cpu, ulong pfn, ulong size)
    {
        var log = LogSize(size);
        if (log >= RangeCacheMaxSize) return (false, RcacheOutcome.NotCached);
        var c = Caches(log, cpu);
        RcacheOutcome outcome;
        if (c.Loaded.Count < MagazineSize) outcome = RcacheOutcome.Loaded;
        else if (c.Prev.Count < MagazineSize)
        {
            (c.Loaded, c.Prev) = (c.Prev, c.Loaded);
            outcome = RcacheOutcome.Prev;
        }
        else
        {
            _depot[log].Push(c.Loaded);
            c.Loaded = new List<ulong>(MagazineSize);
            outcome = RcacheOutcome.Depot;
        }
        c.Loaded.Add(pfn);
        return (true, outcome);
    }

    private CpuCaches Caches(int log, int cpu)
    {
        if (!_cpu.TryGetValue((log, cpu), out var c)) _cpu[(log, cpu)] = c = new CpuCaches();
        return c;
    }

    /// <summary>iova_magazine_pop: the last pfn at or below the limit, swapped out with the magazine's last.</summary>
    private static ulong? Pop(List<ulong> mag, ulong limitPfn)
    {
        var i = mag.Count - 1;
        for (; mag[i] > limitPfn; i--)
            if (i == 0) return null;
        var pfn = mag[i];
        mag[i] = mag[^1];
        mag.RemoveAt(mag.Count - 1);
        return pfn;
    }
}

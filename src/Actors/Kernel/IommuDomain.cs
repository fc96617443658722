using Phyr.Actors.Engine;
using Phyr.Domain.Dma;
using Phyr.Domain.Iommu;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;
using DeviceAccessKind = Phyr.Domain.Dma.DeviceAccess;

namespace Phyr.Actors.Kernel;

/// <summary>
/// A device's IOMMU domain as a component: it owns the <see cref="DmaDomain"/> (IOVA space, IO page table, IOTLB,
/// flush queue) and the two serial resources only it uses, as <see cref="QueuedServer"/>s — the IOVA rbtree lock
/// (iova_rbtree_lock; a per-CPU cache hit skips it) and the IOMMU's invalidation queue (qi_submit_sync: one ~2 µs
/// invalidation at a time). It answers <see cref="IommuProtocol"/> when the work is done: IOVA allocation, IO
/// page-table writes, and for strict unmaps the wait for the invalidation. Lazy unmaps arm the flush queue's 10 ms timer.
/// </summary>
public sealed class IommuDomain(string name, DmaDomain domain, DmaCosts costs, DeviceLimits device, int process) : SimComponent(name)
{
    private sealed record FlushTimer(int Cpu);

    /// <summary>Per requester: its IOVA-link session (null without translation) and the ranges linked so far.</summary>
    private readonly Dictionary<int, (DmaDomain.IovaLinkState? State, List<PhysRange> Ranges)> _sessions = [];

    public DmaDomain Domain => domain;
    public QueuedServer IovaTree { get; } = new();
    public QueuedServer InvalidationQueue { get; } = new();
    public long IovaAllocs { get; private set; }
    public long IovaCacheHits { get; private set; }
    public long MapCalls { get; private set; }
    public long PtesWritten { get; private set; }
    public long DmaAccesses { get; private set; }
    public long DmaFaults { get; private set; }
    public long DmaStaleAccesses { get; private set; }

    /// <summary>Time requesters spent on IOVA allocation and frees, IO page-table writes and clears, and IOTLB syncs they waited for (ns).</summary>
    public long IovaNs { get; private set; }
    public long IoPageTableNs { get; private set; }
    public long IotlbNs { get; private set; }

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        var now = ctx.Now;
        switch (message)
        {
            case IommuProtocol.MapSg m:
                Reply(ctx, Ready(ctx, domain.MapSg(m.Cpu, m.Sg, device)));
                break;
            case IommuProtocol.MapPhyrs m:
                Reply(ctx, Ready(ctx, m.Native ? domain.MapPhyrsNative(m.Cpu, m.Phyrs, device) : domain.MapPhyrsCompat(m.Cpu, m.Phyrs, device)));
                break;
            case IommuProtocol.MapRanges m:
                Reply(ctx, Ready(ctx, m.Strategy switch
                {
                    DmaStrategy.Legacy => domain.MapSg(m.Cpu, m.Ranges, device),
                    DmaStrategy.PhyrCompat => domain.MapPhyrsCompat(m.Cpu, m.Ranges, device),
                    DmaStrategy.PhyrNative => domain.MapPhyrsNative(m.Cpu, m.Ranges, device),
                    _ => domain.MapIovaLink(m.Cpu, m.Ranges, device),
                }));
                break;
            case IommuProtocol.MapAt m:
                Reply(ctx, Ready(ctx, domain.MapAt(m.Iova, m.Ranges)));
                break;
            case IommuProtocol.IovaTryAlloc a:
            {
                var s = domain.IovaTryAlloc(a.Cpu, a.FirstOffset, a.Total, device);
                _sessions[ctx.Sender] = (s, []);
                var t = s is null ? now : Iova(ctx, s.Alloc, now);
                IovaNs += t - now;
                ctx.Reply(IommuProtocol.IovaAllocated.Instance, t - now + ctx.Lookahead);
                break;
            }
            case IommuProtocol.IovaLink l:
            {
                var (s, ranges) = _sessions[ctx.Sender];
                if (s is null)
                {
                    ranges.AddRange(l.Ranges); // no translation: each range is dma_map_phys'd, its physical address
                    ctx.Reply(IommuProtocol.Linked.Instance, ctx.Lookahead);
                    break;
                }
                var op = domain.IovaLink(s, l.Ranges);
                MapCalls += op.MapPagesCalls;
                PtesWritten += op.PtesWritten;
                var written = costs.PageTableMap(op.MapPagesCalls, op.PtesWritten);
                IoPageTableNs += written;
                ctx.Reply(IommuProtocol.Linked.Instance, written + ctx.Lookahead);
                break;
            }
            case IommuProtocol.IovaSync:
            {
                var (s, ranges) = _sessions[ctx.Sender];
                _sessions.Remove(ctx.Sender);
                ctx.Reply(new IommuProtocol.Mapped(s is null ? domain.MapIovaLink(0, ranges, device) : domain.IovaSync(s, device)), ctx.Lookahead);
                break;
            }
            case IommuProtocol.Unmap u:
            {
                var r = domain.Unmap(u.Cpu, u.Mapping, now);
                var t = now + costs.Unmap(r);
                IoPageTableNs += t - now;
                if (r.IotlbInvalidations > 0)
                {
                    var before = t;
                    t = Invalidate(ctx, t);
                    IotlbNs += t - before; // the unmap waits for it
                }
                var beforeFrees = t;
                t = Frees(ctx, r.IovaFrees, t);
                IovaNs += t - beforeFrees;
                if (r.ArmFlushTimer) ctx.Schedule(domain.FlushQueue.TimeoutNs, new FlushTimer(u.Cpu));
                ctx.Reply(IommuProtocol.Unmapped.Instance, t - now + ctx.Lookahead);
                break;
            }
            case IommuProtocol.UnmapAt u:
            {
                var r = domain.UnmapAt(u.Iova, u.Size);
                var cleared = now + costs.Unmap(r);
                IoPageTableNs += cleared - now;
                var t = Invalidate(ctx, cleared);
                IotlbNs += t - cleared;
                ctx.Reply(IommuProtocol.Unmapped.Instance, t - now + ctx.Lookahead);
                break;
            }
            case IommuProtocol.VfioUnmap v:
            {
                var r = domain.VfioUnmapUnpin(v.Iova, v.Size);
                var cleared = now + (long)Math.Round(r.PagesLookedUp * costs.IovaToPhysNs) + costs.PageTableUnmap(r.UnmapCalls, r.PtesCleared);
                IoPageTableNs += cleared - now;
                var t = cleared;
                for (var i = 0; i < r.Syncs; i++) t = Invalidate(ctx, t);
                IotlbNs += t - cleared;
                ctx.Reply(new IommuProtocol.VfioUnmapped(r.Runs), t - now + ctx.Lookahead);
                break;
            }
            case IommuProtocol.UnmapFast u:
            {
                var (ptes, _, calls) = domain.PageTable.Unmap(u.Iova, u.Size);
                ctx.Reply(IommuProtocol.Unmapped.Instance, costs.PageTableUnmap(calls, ptes) + ctx.Lookahead);
                break;
            }
            case IommuProtocol.DeviceAccess a:
                CheckAccesses(ctx, a.Segments);
                break;
            case FlushTimer f:
            {
                var r = domain.FlushTimeout(f.Cpu, now);
                var t = r.IotlbInvalidations > 0 ? Invalidate(ctx, now) : now; // nobody waits for the timer's flush
                Frees(ctx, r.IovaFrees, t);
                break;
            }
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }

    /// <summary>What the domain measured: IOVA allocations, IO page-table writes, IOTLB invalidations, device accesses (bad ones are invariant violations), and the time requesters spent here.</summary>
    public void Read(MetricValues m)
    {
        m[Metric.IovaAllocs] = IovaAllocs;
        m[Metric.IovaRcacheHits] = IovaCacheHits;
        m[Metric.IovaTreeWaitNsP99] = IovaTree.Metrics.Wait.Percentile(99);
        m[Metric.IommuMapCalls] = MapCalls;
        m[Metric.IommuPtesWritten] = PtesWritten;
        m[Metric.IotlbInvalidations] = domain.Iotlb.Invalidations;
        m[Metric.IotlbWaitNsP99] = InvalidationQueue.Metrics.Wait.Percentile(99);
        m[Metric.StaleWindowNsMax] = domain.Iotlb.StaleWindow.Max;
        m[Metric.DmaAccesses] = DmaAccesses;
        m[Metric.DmaFaults] = DmaFaults;
        m[Metric.DmaStaleAccesses] = DmaStaleAccesses;
        m[Metric.TimeIovaNs] = IovaNs;
        m[Metric.TimeIoPagetableNs] = IoPageTableNs;
        m[Metric.TimeIotlbNs] = IotlbNs;
        m.Add(Metric.InvariantViolations, DmaFaults + DmaStaleAccesses);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() =>
        [IovaTree.Metrics.Snapshot($"{Name}.iova_rbtree_lock", "queue"), InvalidationQueue.Metrics.Snapshot($"{Name}.invalidation_queue", "queue")];

    /// <summary>A mapping is ready when its IOVA is allocated and its page-table entries written.</summary>
    private (DmaMapping Mapping, long Done) Ready(SimContext ctx, DmaMapping m)
    {
        var now = ctx.Now;
        var t = m.IovaAlloc is { } op ? Iova(ctx, op, now) : now;
        IovaNs += t - now;
        MapCalls += m.MapPagesCalls;
        PtesWritten += m.PtesWritten;
        var written = costs.Map(m);
        IoPageTableNs += written;
        return (m, t + written);
    }

    private static void Reply(SimContext ctx, (DmaMapping Mapping, long Done) r) =>
        ctx.Reply(new IommuProtocol.Mapped(r.Mapping), r.Done - ctx.Now + ctx.Lookahead);

    /// <summary>An IOVA allocation: from the CPU's cache, or from the tree once its lock is free.</summary>
    private long Iova(SimContext ctx, IovaOp op, long now)
    {
        IovaAllocs++;
        if (op.TookTreeLock) return IovaTree.Serve(ctx.Sender, now, costs.TreeHold(op)).At;
        IovaCacheHits++;
        return now + costs.CacheOp(op);
    }

    private long Frees(SimContext ctx, IReadOnlyList<IovaOp> frees, long t)
    {
        foreach (var f in frees) t = f.TookTreeLock ? IovaTree.Serve(ctx.Sender, t, costs.TreeHold(f)).At : t + costs.CacheOp(f);
        return t;
    }

    /// <summary>An IOTLB invalidation through the IOMMU's queue, starting at <paramref name="t"/>: the time it is done.</summary>
    private long Invalidate(SimContext ctx, long t) => InvalidationQueue.Serve(ctx.Sender, t, costs.IotlbInvalidationNs).At;

    /// <summary>The device reaches these segments: the first and last byte of each must be translated (and pinned, which the mm checks).</summary>
    private void CheckAccesses(SimContext ctx, PhysRange[] segments)
    {
        var pfns = new List<ulong>();
        foreach (var seg in segments)
        {
            foreach (var dma in seg.Len <= 1 ? [seg.Addr] : new[] { seg.Addr, seg.End - 1 })
            {
                DmaAccesses++;
                var (kind, pa) = domain.DeviceTranslate(dma);
                if (kind == DeviceAccessKind.Fault) DmaFaults++;
                if (kind == DeviceAccessKind.Stale) DmaStaleAccesses++;
                if (pa is { } p) pfns.Add(p >> Page.Shift);
            }
        }
        if (pfns.Count > 0) ctx.Send(process, new MmProtocol.CheckPinned([.. pfns]));
    }
}

using DeviceAccessKind = Phyr.Domain.Dma.DeviceAccess;
using Phyr.Actors.Engine;
using Phyr.Domain.Dma;
using Phyr.Domain.Iommu;
using Phyr.Domain.Memory;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Kernel;

/// <summary>
/// A device's IOMMU domain as a component: it owns the <see cref="DmaDomain"/> (IOVA space, IO page table,
/// flush queue) and the resources only it uses — the IOVA rbtree lock and the IOMMU's invalidation queue —
/// as inline FIFO servers. Map and unmap requests reply when their work is done: IOVA allocation (the
/// CPU's cache, or the tree under its lock), IO page-table writes, and for strict unmaps the wait for the
/// invalidation. Lazy unmaps arm the flush queue's 10 ms timer.
/// </summary>
public sealed class IommuDomain(string name, DmaDomain domain, DmaCosts costs, DeviceLimits device, int process) : SimComponent(name)
{
    public sealed record MapSg(int Cpu, PhysRange[] Sg);
    public sealed record MapPhyrs(int Cpu, PhysRange[] Phyrs, bool Native);
    public sealed record IovaTryAlloc(int Cpu, ulong FirstOffset, ulong Total);
    public sealed record IovaLink(PhysRange[] Ranges);
    public sealed record IovaSync;
    public sealed record Unmap(int Cpu, DmaMapping Mapping);

    /// <summary>Map one request's ranges with a strategy in one go (a block request's DMA mapping).</summary>
    public sealed record MapRanges(int Cpu, PhysRange[] Ranges, DmaStrategy Strategy);

    /// <summary>VFIO: map ranges at the guest-physical IOVA the user chose (no allocator).</summary>
    public sealed record MapAt(ulong Iova, PhysRange[] Ranges);

    /// <summary>VFIO: unmap [Iova, Iova + Size) and sync the IOTLB.</summary>
    public sealed record UnmapAt(ulong Iova, ulong Size);

    /// <summary>iommu_unmap_fast: clear the IO page table for [Iova, Iova + Size) without syncing the IOTLB (the caller's gather does).</summary>
    public sealed record UnmapFast(ulong Iova, ulong Size);

    /// <summary>A device DMAs to these segments now: check the first and last byte of each (translated, and pinned).</summary>
    public sealed record DeviceAccess(PhysRange[] Segments);

    public sealed record Mapped(DmaMapping Mapping);
    public sealed record Linked;
    public sealed record Unmapped;
    private sealed record FlushTimer(int Cpu);

    /// <summary>Per requester: its IOVA-link session (null without translation) and the ranges linked so far.</summary>
    private readonly Dictionary<int, (DmaDomain.IovaLinkState? State, List<PhysRange> Ranges)> _sessions = [];
    private long _treeFreeAt, _invalidationFreeAt;

    public DmaDomain Domain => domain;
    public long IovaAllocs { get; private set; }
    public long IovaCacheHits { get; private set; }
    public long MapCalls { get; private set; }
    public long PtesWritten { get; private set; }
    public LatencyHistogram TreeLockWait { get; } = new();
    public long DmaAccesses { get; private set; }

    /// <summary>Time requesters spent on IOVA allocation and frees, IO page-table writes and clears, and IOTLB syncs they waited for (ns).</summary>
    public long IovaNs { get; private set; }
    public long IoPageTableNs { get; private set; }
    public long IotlbNs { get; private set; }
    public long DmaFaults { get; private set; }
    public long DmaStaleAccesses { get; private set; }
    public LatencyHistogram InvalidationWait { get; } = new();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        var now = ctx.Now;
        switch (message)
        {
            case MapSg m:
                Reply(ctx, Ready(domain.MapSg(m.Cpu, m.Sg, device), now));
                break;
            case MapPhyrs m:
                Reply(ctx, Ready(m.Native ? domain.MapPhyrsNative(m.Cpu, m.Phyrs, device) : domain.MapPhyrsCompat(m.Cpu, m.Phyrs, device), now));
                break;
            case IovaTryAlloc a:
            {
                var s = domain.IovaTryAlloc(a.Cpu, a.FirstOffset, a.Total, device);
                _sessions[ctx.Sender] = (s, []);
                var t = s is null ? now : Iova(s.Alloc, now);
                IovaNs += t - now;
                ctx.Reply(new Linked(), t - now + ctx.Lookahead);
                break;
            }
            case IovaLink l:
            {
                var (s, ranges) = _sessions[ctx.Sender];
                if (s is null)
                {
                    ranges.AddRange(l.Ranges); // no translation: each range is dma_map_phys'd, its physical address
                    ctx.Reply(new Linked(), ctx.Lookahead);
                    break;
                }
                var op = domain.IovaLink(s, l.Ranges);
                MapCalls += op.MapPagesCalls;
                PtesWritten += op.PtesWritten;
                var written = op.MapPagesCalls * costs.MapCallNs + op.PtesWritten * costs.MapPteNs;
                IoPageTableNs += written;
                ctx.Reply(new Linked(), written + ctx.Lookahead);
                break;
            }
            case IovaSync:
            {
                var (s, ranges) = _sessions[ctx.Sender];
                _sessions.Remove(ctx.Sender);
                ctx.Reply(new Mapped(s is null ? domain.MapIovaLink(0, ranges, device) : domain.IovaSync(s, device)), ctx.Lookahead);
                break;
            }
            case Unmap u:
            {
                var r = domain.Unmap(u.Cpu, u.Mapping, now);
                var t = now + costs.Unmap(u.Mapping, r.PtesCleared);
                IoPageTableNs += t - now;
                if (r.IotlbInvalidations > 0)
                {
                    var before = t;
                    t = Invalidate(t);
                    IotlbNs += t - before;
                }
                var beforeFrees = t;
                t = Frees(r.IovaFrees, t);
                IovaNs += t - beforeFrees;
                if (r.ArmFlushTimer) ctx.Schedule(domain.FlushQueue.TimeoutNs, new FlushTimer(u.Cpu));
                ctx.Reply(new Unmapped(), t - now + ctx.Lookahead);
                break;
            }
            case MapRanges m:
                Reply(ctx, Ready(m.Strategy switch
                {
                    DmaStrategy.Legacy => domain.MapSg(m.Cpu, m.Ranges, device),
                    DmaStrategy.PhyrCompat => domain.MapPhyrsCompat(m.Cpu, m.Ranges, device),
                    DmaStrategy.PhyrNative => domain.MapPhyrsNative(m.Cpu, m.Ranges, device),
                    _ => domain.MapIovaLink(m.Cpu, m.Ranges, device),
                }, now));
                break;
            case MapAt m:
                Reply(ctx, Ready(domain.MapAt(m.Iova, m.Ranges), now));
                break;
            case UnmapAt u:
            {
                var r = domain.UnmapAt(u.Iova, u.Size);
                var cleared = now + costs.UnmapCallNs + r.PtesCleared * costs.UnmapPteNs;
                IoPageTableNs += cleared - now;
                var t = Invalidate(cleared);
                IotlbNs += t - cleared;
                ctx.Reply(new Unmapped(), t - now + ctx.Lookahead);
                break;
            }
            case UnmapFast u:
            {
                var (ptes, _) = domain.PageTable.Unmap(u.Iova, u.Size);
                ctx.Reply(new Unmapped(), costs.UnmapCallNs + ptes * costs.UnmapPteNs + ctx.Lookahead);
                break;
            }
            case DeviceAccess a:
            {
                var pfns = new List<ulong>();
                foreach (var seg in a.Segments)
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
                if (pfns.Count > 0) ctx.Send(process, new Process.CheckPinned([.. pfns]));
                break;
            }
            case FlushTimer f:
            {
                var r = domain.FlushTimeout(f.Cpu, now);
                var t = r.IotlbInvalidations > 0 ? Invalidate(now) : now;
                Frees(r.IovaFrees, t);
                break;
            }
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }

    /// <summary>A mapping is ready when its IOVA is allocated and its page-table entries written.</summary>
    private (DmaMapping Mapping, long Done) Ready(DmaMapping m, long now)
    {
        var t = m.IovaAlloc is { } op ? Iova(op, now) : now;
        IovaNs += t - now;
        MapCalls += m.MapPagesCalls;
        PtesWritten += m.PtesWritten;
        var written = costs.Map(m);
        IoPageTableNs += written;
        return (m, t + written);
    }

    private void Reply(SimContext ctx, (DmaMapping Mapping, long Done) r) =>
        ctx.Reply(new Mapped(r.Mapping), r.Done - ctx.Now + ctx.Lookahead);

    /// <summary>An IOVA allocation: from the CPU's cache, or from the tree once its lock is free.</summary>
    private long Iova(IovaOp op, long now)
    {
        IovaAllocs++;
        if (!op.TookTreeLock)
        {
            IovaCacheHits++;
            return now + costs.CacheOp(op);
        }
        return Tree(op, now);
    }

    private long Tree(IovaOp op, long now)
    {
        var start = Math.Max(now, _treeFreeAt);
        TreeLockWait.Record(start - now);
        _treeFreeAt = start + costs.TreeHold(op);
        return _treeFreeAt;
    }

    private long Frees(IReadOnlyList<IovaOp> frees, long t)
    {
        foreach (var f in frees) t = f.TookTreeLock ? Tree(f, t) : t + costs.CacheOp(f);
        return t;
    }

    /// <summary>An IOTLB invalidation through the IOMMU's queue: one at a time, each ~2 µs.</summary>
    private long Invalidate(long t)
    {
        var start = Math.Max(t, _invalidationFreeAt);
        InvalidationWait.Record(start - t);
        _invalidationFreeAt = start + costs.IotlbInvalidationNs;
        return _invalidationFreeAt;
    }
}

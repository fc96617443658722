using Phyr.Actors.Engine;
using Phyr.Actors.Resources;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Kernel;

/// <summary>
/// One simulated CPU pinning its region batch by batch, as a driver's registration loop does
/// (ib_umem_get: call, take what came back, call again from where it stopped), then unpinning it.
/// Each call: optionally the has_pinned flag write on the mm's shared line; the walk (the process's
/// answer); the unlocked work (further walks from the top, the lockless fast path); then each lock hold
/// in order — mmap_lock (or the VMA's lock) held to the end of the call, each PTE-table / huge-entry lock
/// held for the entries processed under it. Thin: what a call does comes from the Domain's
/// <see cref="Gup"/>, what it costs from <see cref="GupCosts"/>.
/// </summary>
public sealed class PageTableWalker : SimComponent
{
    /// <summary>Begin the region.</summary>
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }

    private sealed record Unpinned;

    /// <summary>Where the locks of a hold live: component ids.</summary>
    public sealed record LockDirectory(int MmapLock, Func<ulong, int> VmaLock, Func<ulong, int> PteLock, Func<ulong, int> HugeLock, int MmFlagsLine);

    private readonly int _cpu;
    private readonly int _process;
    private readonly LockDirectory _locks;
    private readonly ulong _end;
    private readonly GupCallKind _kind;
    private readonly int _batch;
    private readonly GupOptions _options;
    private readonly GupCosts _costs;
    private readonly Spinlock.Release _release = new();

    private ulong _next;
    private IReadOnlyList<LockHold> _holds = [];
    private int _holdIndex;
    private readonly List<int> _sleepingLocks = []; // mmap_lock or VMA locks held to the end of the call

    public PageTableWalker(string name, int cpu, int process, LockDirectory locks, ulong start, ulong end, GupCallKind kind, int batch,
        GupOptions options, GupCosts costs) : base(name)
    {
        _cpu = cpu;
        _process = process;
        _locks = locks;
        _next = start;
        _end = end;
        _kind = kind;
        _batch = batch;
        _options = options;
        _costs = costs;
    }

    public long StartedAt { get; private set; } = -1;
    public long FinishedAt { get; private set; } = -1;
    public long Calls { get; private set; }
    public long PagesUnpinned { get; private set; }
    public string? Error { get; private set; }
    public GupTotals Totals { get; } = new();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case Start:
                StartedAt = ctx.Now;
                BeginCall(ctx, 0);
                break;
            case SharedCacheLine.Completed:
                ctx.Send(_process, new Process.Walk(_kind, _next, _end, _batch, _options));
                break;
            case Process.Walked w:
                Calls++;
                Totals.Add(w.Result.Accounting);
                _next = w.Result.Next;
                _holds = w.Result.Accounting.Holds;
                _holdIndex = 0;
                // The request/reply stood for the first walk; the rest of the unlocked work follows.
                NextHold(ctx, Math.Max(0, _costs.Unlocked(w.Result.Accounting, _options.Longterm) - _costs.WalkNs));
                break;
            case Spinlock.Granted:
            {
                var held = _holds[_holdIndex++];
                var t = _costs.UnderLock(held, _options.Longterm);
                ctx.Send(ctx.Sender, _release, t + ctx.Lookahead);
                NextHold(ctx, t);
                break;
            }
            case RwSem.Granted:
                _sleepingLocks.Add(ctx.Sender);
                _holdIndex++;
                NextHold(ctx, 0);
                break;
            case Unpinned:
                FinishedAt = ctx.Now;
                break;
            case Process.Failed f:
                Error = $"{Name}: {f.Reason}";
                FinishedAt = ctx.Now;
                break;
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }

    private void BeginCall(SimContext ctx, long delay)
    {
        if (_locks.MmFlagsLine >= 0) ctx.Send(_locks.MmFlagsLine, new SharedCacheLine.Atomic(_cpu), delay + ctx.Lookahead);
        else ctx.Send(_process, new Process.Walk(_kind, _next, _end, _batch, _options), delay + ctx.Lookahead);
    }

    /// <summary>Takes the next lock of the call <paramref name="delay"/> ns from now, or ends the call.</summary>
    private void NextHold(SimContext ctx, long delay)
    {
        if (_holdIndex < _holds.Count)
        {
            var h = _holds[_holdIndex];
            switch (h.Lock)
            {
                case GupLock.Mmap:
                    ctx.Send(_locks.MmapLock, new RwSem.DownRead(_cpu), delay + ctx.Lookahead);
                    break;
                case GupLock.Vma:
                    ctx.Send(_locks.VmaLock(h.Key), new RwSem.DownRead(_cpu), delay + ctx.Lookahead);
                    break;
                case GupLock.Pte:
                    ctx.Send(_locks.PteLock(h.Key), new Spinlock.Acquire(_cpu), delay + ctx.Lookahead);
                    break;
                case GupLock.Huge:
                    ctx.Send(_locks.HugeLock(h.Key), new Spinlock.Acquire(_cpu), delay + ctx.Lookahead);
                    break;
            }
            return;
        }
        foreach (var sem in _sleepingLocks) ctx.Send(sem, new RwSem.UpRead(_cpu), delay + ctx.Lookahead);
        _sleepingLocks.Clear();
        if (_next < _end)
        {
            BeginCall(ctx, delay);
            return;
        }
        PagesUnpinned = Totals.PagesPinned;
        ctx.Schedule(delay + _costs.Unpin(Totals.PinAtomics), new Unpinned());
    }
}

/// <summary>A walker's GUP accounting summed over its calls.</summary>
public sealed class GupTotals
{
    public long Walks, FastPathPages, LockedPathPages, PteLocks, HugeLocks, MmapLocks, VmaLocks, Faults, PagesPinned, PinAtomics, Entries;

    public void Add(GupAccounting a)
    {
        Walks += a.Walks;
        FastPathPages += a.FastPathPages;
        LockedPathPages += a.LockedPathPages;
        PteLocks += a.PteLockAcquisitions;
        HugeLocks += a.HugeLockAcquisitions;
        MmapLocks += a.MmapLockAcquisitions;
        VmaLocks += a.VmaLockAcquisitions;
        Faults += a.Faults;
        PagesPinned += a.PagesPinned;
        PinAtomics += a.PinAtomics;
        Entries += a.Entries;
    }
}

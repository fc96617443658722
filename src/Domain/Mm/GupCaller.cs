using System.Collections.Immutable;
using Phyr.Domain.Drivers;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Domain.Mm;

/// <summary>
/// What a CPU's GUP caller needs: who it is, where the mm and its locks are, which call, how big, and the costs —
/// with <c>LinkNs</c> the link latency each request and grant takes (the engine's lookahead: a lock's wait is its
/// round trip less two of them), and <c>ColdLockNs</c> the cost of taking a private page-table lock the first time,
/// when its line comes from memory (a same-socket transfer's worth).
/// </summary>
public sealed record GupCallerPlan(int Cpu, int Process, LockDirectory Locks, GupCallKind Kind, int Batch, GupOptions Options, GupCosts Costs,
    long LinkNs, long ColdLockNs)
{
    /// <summary>A batch with no limit: one call takes the whole range, into an array sized to what it returns.</summary>
    public const int Unlimited = int.MaxValue;
}

/// <summary>How a GUP call ended: its output and the CPU time still to spend on it, or the kernel's error.</summary>
public abstract record GupCallEnd
{
    /// <summary>The call returned <paramref name="Call"/>; its unlocked work and lock holds end <paramref name="Delay"/> ns from now.</summary>
    public sealed record Returned(GupCall Call, long Delay) : GupCallEnd;

    public sealed record Failed(string Reason) : GupCallEnd;
}

/// <summary>
/// One CPU's GUP caller over a range: calls of pin_user_pages / get_user_phyrs (mm/gup.c: gup_fast_fallback, then
/// __gup_longterm_locked → __get_user_pages for what the fast path left) one after another, each in virtual time,
/// and at the end unpin_user_pages of the range. A call is, in order:
/// <list type="number">
/// <item>with <see cref="LockDirectory.MmFlagsLine"/>, the has_pinned write on the mm's flags line (mm_set_has_pinned_flag
/// before it checked before setting);</item>
/// <item>the walk — a request the mm component answers with what the call finds (<see cref="Gup"/>), standing for
/// its first walk from the top;</item>
/// <item>the unlocked work: further walks from the top, the lockless fast path;</item>
/// <item>each lock hold in order: mmap_lock (or the VMA's lock) held to the end of the call; each PTE-table lock
/// (pte_offset_map_lock) or huge-entry lock (pmd_lock) for the entries processed under it. A lock only this CPU uses
/// is taken inline (a local atomic, its line from memory the first time).</item>
/// </list>
/// Immutable: each step returns the next caller, its sends going into the <see cref="Effects"/>. Costs come from
/// <see cref="GupCosts"/>; what a call does from the mm component.
/// </summary>
public sealed record GupCaller
{
    public required GupCallerPlan Plan { get; init; }

    /// <summary>The range: [Start, End); the next call starts at Next.</summary>
    public ulong Start { get; init; }
    public ulong Next { get; init; }
    public ulong End { get; init; }

    /// <summary>The call in flight, or the last one.</summary>
    public GupCall? Call { get; init; }
    public int HoldIndex { get; init; }

    /// <summary>Repetitions of the hold at <see cref="HoldIndex"/> already done (<see cref="LockHold.Repeat"/>).</summary>
    public long HoldRepeat { get; init; }

    /// <summary>mmap_lock or the VMA locks held to the end of the call.</summary>
    public ImmutableList<int> Sleeping { get; init; } = [];

    /// <summary>Private page-table locks this CPU has taken (their lines are in its cache).</summary>
    public ImmutableHashSet<(GupLock, ulong)> Touched { get; init; } = [];

    /// <summary>When the lock request in flight was sent.</summary>
    public long RequestedAt { get; init; }

    public GupTotals Totals { get; init; }
    public long Calls { get; init; }
    public long PagesUnpinned { get; init; }

    /// <summary>Where this CPU's time went, in ns: walks from the top, waiting for locks, pin atomics and unpin puts.</summary>
    public long WalkNs { get; init; }
    public long LockWaitNs { get; init; }
    public long AtomicsNs { get; init; }

    /// <summary>Private page-table locks taken (each uncontended, waiting 0).</summary>
    public long PrivatePteLocks { get; init; }
    public long PrivateHugeLocks { get; init; }

    public static GupCaller Over(GupCallerPlan plan, ulong start, ulong end) => new() { Plan = plan, Start = start, Next = start, End = end };

    /// <summary>The same caller over another range (the next I/O's buffer), its totals kept.</summary>
    public GupCaller Range(ulong start, ulong end) => this with { Start = start, Next = start, End = end, Call = null };

    /// <summary>After a call: whether the range has more to pin (the call made progress and stopped short of the end).</summary>
    public bool MoreToPin => Next < End && Call is { } c && c.Next > c.Start;

    /// <summary>Whether <paramref name="message"/> is an answer to a call in flight.</summary>
    public static bool Handles(object message) =>
        message is CacheLineProtocol.Completed or MmProtocol.Walked or MmProtocol.Failed or SpinlockProtocol.Granted or RwSemProtocol.Granted;

    /// <summary>Starts the next call <paramref name="delay"/> ns from now.</summary>
    public GupCaller Begin(long delay, Effects fx)
    {
        if (Plan.Locks.MmFlagsLine >= 0) fx.Send(Plan.Locks.MmFlagsLine, new CacheLineProtocol.Atomic(Plan.Cpu), delay);
        else fx.Send(Plan.Process, WalkRequest(), delay);
        return this;
    }

    /// <summary>An answer to the call in flight: the next caller and, when the call is over, how it ended.</summary>
    public (GupCaller State, GupCallEnd? Ended) Step(FlowInput input, Effects fx)
    {
        switch (input.Message)
        {
            case CacheLineProtocol.Completed:
                fx.Send(Plan.Process, WalkRequest());
                return (this, null);
            case MmProtocol.Walked w:
            {
                var a = w.Result.Accounting;
                var walked = this with
                {
                    Calls = Calls + 1, WalkNs = WalkNs + Plan.Costs.WalksTime(a), AtomicsNs = AtomicsNs + Plan.Costs.AtomicsTime(a),
                    Call = w.Result, Totals = Totals.Add(a), Next = w.Result.Next, HoldIndex = 0, HoldRepeat = 0,
                };
                // The request and reply stood for the first walk; the rest of the unlocked work follows.
                return walked.NextHold(input.Now, Math.Max(0, Plan.Costs.Unlocked(a, Plan.Options.Longterm) - (long)Math.Round(Plan.Costs.WalkNs)), fx);
            }
            case SpinlockProtocol.Granted:
            {
                var hold = Call!.Accounting.Holds[HoldIndex];
                var held = Plan.Costs.UnderLock(hold);
                fx.Send(input.Sender, SpinlockProtocol.Release.Instance, held);
                var waited = Waited(input.Now);
                if (HoldRepeat + 1 < hold.Repeat)
                {
                    // The same lock again for the hold's next repetition, once this one's work is done.
                    fx.Send(input.Sender, new SpinlockProtocol.Acquire(Plan.Cpu), held);
                    return (waited with { HoldRepeat = HoldRepeat + 1, RequestedAt = input.Now + held }, null);
                }
                return (waited with { HoldIndex = HoldIndex + 1, HoldRepeat = 0 }).NextHold(input.Now, held, fx);
            }
            case RwSemProtocol.Granted:
                return (Waited(input.Now) with { Sleeping = Sleeping.Add(input.Sender), HoldIndex = HoldIndex + 1 }).NextHold(input.Now, 0, fx);
            case MmProtocol.Failed f:
                return (this, new GupCallEnd.Failed(f.Reason));
            default:
                throw DriverFlow.Unexpected("a GUP call", $"waiting for hold {HoldIndex}", input.Message);
        }
    }

    /// <summary>unpin_user_pages of the range, <paramref name="delay"/> ns from now (put_page per page for FOLL_GET callers).</summary>
    public GupCaller Unpin(long delay, Effects fx)
    {
        var o = Plan.Options;
        return Unpin(delay, fx, new UnpinStyle(o.UnpinFolioBatched && !o.PutPerPage, o.HugetlbHeadRefcount && !o.PutPerPage, Plan.Kind == GupCallKind.PinUserPages, o.PutPerPage));
    }

    /// <summary>The range's unpin the driver's own way (VFIO: put_pfn per page, or a range per run).</summary>
    public GupCaller Unpin(long delay, Effects fx, UnpinStyle style)
    {
        fx.Send(Plan.Process, new MmProtocol.Unpin(Start, End, style, Plan.Costs, Plan.Cpu), delay);
        return this;
    }

    /// <summary>The unpin is done: its put atomics go to the atomics time.</summary>
    public GupCaller Unpinned(MmProtocol.Unpinned u) =>
        this with { PagesUnpinned = PagesUnpinned + u.Count.Pages, AtomicsNs = AtomicsNs + (long)Math.Round(u.Count.Atomics * Plan.Costs.PinAtomicNs) };

    private MmProtocol.Walk WalkRequest() => new(Plan.Kind, Next, End, Plan.Batch, Plan.Options, Plan.Cpu);

    /// <summary>A grant's wait: its round trip less the two message hops an uncontended lock also takes.</summary>
    private GupCaller Waited(long now) => this with { LockWaitNs = LockWaitNs + Math.Max(0, now - RequestedAt - 2 * Plan.LinkNs) };

    /// <summary>Takes the next lock of the call <paramref name="delay"/> ns from now, or ends the call.</summary>
    private (GupCaller, GupCallEnd?) NextHold(long now, long delay, Effects fx)
    {
        var holds = Call!.Accounting.Holds;
        var (index, touched, pte, huge) = (HoldIndex, Touched, PrivatePteLocks, PrivateHugeLocks);
        for (; index < holds.Count; index++)
        {
            var h = holds[index];
            var target = Plan.Locks.Of(h);
            if (target != LockDirectory.Private)
            {
                fx.Send(target, h.Lock is GupLock.Mmap or GupLock.Vma ? new RwSemProtocol.DownRead(Plan.Cpu) : new SpinlockProtocol.Acquire(Plan.Cpu), delay);
                return (this with { HoldIndex = index, Touched = touched, PrivatePteLocks = pte, PrivateHugeLocks = huge, RequestedAt = now + delay }, null);
            }
            // A lock only this CPU uses: its line is in this CPU's cache after the first time.
            var cold = !touched.Contains((h.Lock, h.Key));
            if (cold) touched = touched.Add((h.Lock, h.Key));
            if (h.Lock == GupLock.Pte) pte += h.Repeat;
            else huge += h.Repeat;
            var local = (long)Math.Round(Plan.Costs.LocalLockNs);
            var under = Plan.Costs.UnderLock(h);
            delay += (cold ? Plan.ColdLockNs : local) + under + (h.Repeat - 1) * (local + under);
        }
        foreach (var sem in Sleeping) fx.Send(sem, new RwSemProtocol.UpRead(Plan.Cpu), delay);
        var done = this with { HoldIndex = index, Touched = touched, PrivatePteLocks = pte, PrivateHugeLocks = huge, Sleeping = [] };
        return (done, new GupCallEnd.Returned(Call, delay));
    }
}

using Phyr.Domain.Drivers;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Domain.Tests.Mm;

/// <summary>The GUP call loop of one CPU, stepped by hand: what it sends, when, and what it counts (no actor system).</summary>
public class GupCallerTests
{
    private const int Process = 1, MmapLock = 2, SharedPtl = 3, FlagsLine = 4;
    private const long Link = 25;
    private static readonly GupCosts Costs = GupCosts.Default;
    private const ulong Start = 1UL << 40;

    private static GupCaller Caller(LockDirectory? locks = null, GupOptions? options = null, ulong bytes = 64 * Page.Size) =>
        GupCaller.Over(new GupCallerPlan(0, Process, locks ?? new LockDirectory { MmapLock = MmapLock }, GupCallKind.GetUserPhyrs, 16,
            options ?? new GupOptions { Walk = GupWalk.Locked }, Costs, Link, ColdLockNs: 50), Start, Start + bytes);

    /// <summary>A call over [start, next) that took <paramref name="holds"/>, each PTE hold processing 16 entries.</summary>
    private static MmProtocol.Walked Walked(ulong start, ulong next, params LockHold[] holds) => new(new GupCall(start, next, [],
        [new PhysRange(0x1000_0000, next - start)], new GupAccounting { Walks = 1, LockedPathPages = 16, PagesPinned = 16, PinAtomics = 16, Entries = 1, Holds = holds }));

    private static LockHold Pte(ulong table) => new(GupLock.Pte, table, Entries: 16, Pages: 16, Atomics: 16, Outputs: 1);

    private static (GupCaller State, GupCallEnd? Ended, Effects Fx) Step(GupCaller c, long now, int sender, object message)
    {
        var fx = new Effects();
        var (state, ended) = c.Step(new FlowInput(now, sender, message), fx);
        return (state, ended, fx);
    }

    [Fact]
    public void Locks_only_this_cpu_uses_are_taken_inline_the_first_time_from_memory_then_from_its_cache()
    {
        var fx = new Effects();
        var caller = Caller().Begin(0, fx);
        Assert.Equal(new Send(Process, new MmProtocol.Walk(GupCallKind.GetUserPhyrs, Start, Start + 64 * Page.Size, 16, caller.Plan.Options), 0),
            Assert.Single(fx.Sends));

        // The locked path: mmap_lock for the call (a component), then two holds of one private PTE table.
        var walked = Walked(Start, Start + 16 * Page.Size, new LockHold(GupLock.Mmap, 0, 0), Pte(7), Pte(7));
        var (afterWalk, ended, fx1) = Step(caller, 100, Process, walked);
        Assert.Null(ended);
        var unlocked = Costs.Unlocked(walked.Result.Accounting, longterm: true) - (long)Math.Round(Costs.WalkNs);
        Assert.Equal(new Send(MmapLock, new RwSemProtocol.DownRead(0), unlocked), Assert.Single(fx1.Sends));

        // Granted after exactly the two link hops: no wait. Both PTE holds run inline, then mmap_lock is released.
        var (done, callEnd, fx2) = Step(afterWalk, 100 + unlocked + 2 * Link, MmapLock, RwSemProtocol.Granted.Instance);
        var held = Costs.UnderLock(Pte(7));
        var expected = 50 + held + (long)Math.Round(Costs.LocalLockNs) + held; // cold line, then cached
        Assert.Equal(new Send(MmapLock, new RwSemProtocol.UpRead(0), expected), Assert.Single(fx2.Sends));
        var returned = Assert.IsType<GupCallEnd.Returned>(callEnd);
        Assert.Equal(expected, returned.Delay);
        Assert.Equal((2, 0, 0L), (done.PrivatePteLocks, done.PrivateHugeLocks, done.LockWaitNs));
        Assert.Equal((1L, 16L, (long)Math.Round(Costs.WalkNs), (long)Math.Round(16 * Costs.PinAtomicNs)), (done.Calls, done.Totals.PagesPinned, done.WalkNs, done.AtomicsNs));
        Assert.True(done.MoreToPin);
        Assert.Empty(done.Sleeping);
    }

    [Fact]
    public void A_repeated_private_hold_costs_what_its_copies_did()
    {
        // The same call twice: three holds alike written out, and one hold repeated three times.
        (long Delay, long Pte) Run(params LockHold[] holds)
        {
            var caller = Caller().Begin(0, new Effects());
            var walked = Walked(Start, Start + 16 * Page.Size, [new LockHold(GupLock.Mmap, 0, 0), .. holds]);
            var (afterWalk, _, fx1) = Step(caller, 100, Process, walked);
            var (done, ended, _) = Step(afterWalk, 100 + fx1.Sends[0].Delay + 2 * Link, MmapLock, RwSemProtocol.Granted.Instance);
            return (Assert.IsType<GupCallEnd.Returned>(ended).Delay, done.PrivatePteLocks);
        }
        var copies = Run(Pte(7), Pte(7), Pte(7));
        Assert.Equal(copies, Run(Pte(7) with { Repeat = 3 }));
        Assert.Equal(3, copies.Pte);
    }

    [Fact]
    public void A_repeated_shared_hold_asks_for_its_lock_once_per_repetition()
    {
        var locks = new LockDirectory { MmapLock = MmapLock, PteLocks = new Dictionary<ulong, int> { [7] = SharedPtl } };
        var caller = Caller(locks).Begin(0, new Effects());
        var (state, _, fx) = Step(caller, 100, Process, Walked(Start, Start + 16 * Page.Size, Pte(7) with { Repeat = 2 }));
        var now = 100 + Assert.Single(fx.Sends).Delay + 2 * Link;
        var held = Costs.UnderLock(Pte(7));

        // The first grant: released after the work, and asked for again once released.
        var (again, ended, fx2) = Step(state, now, SharedPtl, SpinlockProtocol.Granted.Instance);
        Assert.Null(ended);
        Assert.Equal([new Send(SharedPtl, SpinlockProtocol.Release.Instance, held), new Send(SharedPtl, new SpinlockProtocol.Acquire(0), held)], fx2.Sends);

        // The second grant, 100 ns late: the wait is counted and the call returns after the work.
        var (done, ended2, fx3) = Step(again, now + held + 2 * Link + 100, SharedPtl, SpinlockProtocol.Granted.Instance);
        Assert.Equal(new Send(SharedPtl, SpinlockProtocol.Release.Instance, held), Assert.Single(fx3.Sends));
        Assert.Equal(held, Assert.IsType<GupCallEnd.Returned>(ended2).Delay);
        Assert.Equal(100, done.LockWaitNs);
    }

    [Fact]
    public void A_shared_pte_lock_is_asked_for_held_for_its_entries_and_released_and_its_wait_counted()
    {
        var locks = new LockDirectory { MmapLock = MmapLock, PteLocks = new Dictionary<ulong, int> { [7] = SharedPtl } };
        var caller = Caller(locks).Begin(0, new Effects());
        var (asked, _, fx) = Step(caller, 100, Process, Walked(Start, Start + 16 * Page.Size, Pte(7)));
        var request = Assert.Single(fx.Sends);
        Assert.Equal((SharedPtl, (object)new SpinlockProtocol.Acquire(0)), (request.Target, request.Message));

        // The grant comes 300 ns later than an uncontended one would: that is the wait.
        var grantedAt = 100 + request.Delay + 2 * Link + 300;
        var (done, ended, fx2) = Step(asked, grantedAt, SharedPtl, SpinlockProtocol.Granted.Instance);
        var held = Costs.UnderLock(Pte(7));
        Assert.Equal(new Send(SharedPtl, SpinlockProtocol.Release.Instance, held), Assert.Single(fx2.Sends));
        Assert.Equal(held, Assert.IsType<GupCallEnd.Returned>(ended).Delay);
        Assert.Equal(300, done.LockWaitNs);
        Assert.Equal(0, done.PrivatePteLocks);
    }

    [Fact]
    public void With_the_has_pinned_write_each_call_starts_with_an_atomic_on_the_mm_flags_line()
    {
        var fx = new Effects();
        var caller = Caller(new LockDirectory { MmapLock = MmapLock, MmFlagsLine = FlagsLine }).Begin(5, fx);
        Assert.Equal(new Send(FlagsLine, new CacheLineProtocol.Atomic(0), 5), Assert.Single(fx.Sends));
        var (_, ended, fx2) = Step(caller, 80, FlagsLine, CacheLineProtocol.Completed.Instance);
        Assert.Null(ended);
        Assert.IsType<MmProtocol.Walk>(Assert.Single(fx2.Sends).Message);
    }

    [Fact]
    public void A_call_the_mm_refuses_ends_with_the_kernels_reason()
    {
        var (_, ended, fx) = Step(Caller(), 10, Process, new MmProtocol.Failed("-EFAULT: VM_PFNMAP"));
        Assert.Equal("-EFAULT: VM_PFNMAP", Assert.IsType<GupCallEnd.Failed>(ended).Reason);
        Assert.Empty(fx.Sends);
    }

    [Fact]
    public void The_range_is_pinned_until_covered_or_a_call_makes_no_progress()
    {
        var lockless = Caller(options: new GupOptions(), bytes: 32 * Page.Size);
        var (first, _, _) = Step(lockless, 0, Process, Walked(Start, Start + 16 * Page.Size));
        Assert.True(first.MoreToPin);
        var (stuck, _, _) = Step(first, 0, Process, Walked(Start + 16 * Page.Size, Start + 16 * Page.Size));
        Assert.False(stuck.MoreToPin);
        var (covered, _, _) = Step(first, 0, Process, Walked(Start + 16 * Page.Size, Start + 32 * Page.Size));
        Assert.False(covered.MoreToPin);
        Assert.Equal(2, covered.Calls);
    }

    [Fact]
    public void Unpin_puts_per_folio_for_pin_users_and_per_page_for_get_users()
    {
        var fx = new Effects();
        Caller(options: new GupOptions()).Unpin(7, fx);
        Caller(options: new GupOptions { PutPerPage = true }).Unpin(7, fx);
        var pin = Assert.IsType<MmProtocol.Unpin>(fx.Sends[0].Message);
        var get = Assert.IsType<MmProtocol.Unpin>(fx.Sends[1].Message);
        Assert.Equal((true, true, false, 7L), (pin.Style.FolioBatched, pin.Style.HugetlbBatched, pin.Style.FollGet, fx.Sends[0].Delay));
        Assert.Equal((false, false, true), (get.Style.FolioBatched, get.Style.HugetlbBatched, get.Style.FollGet));
        var unpinned = Caller().Unpinned(new MmProtocol.Unpinned(new UnpinCount(Pages: 64, Puts: 4, Atomics: 8)));
        Assert.Equal((64L, (long)Math.Round(8 * Costs.PinAtomicNs)), (unpinned.PagesUnpinned, unpinned.AtomicsNs));
    }

    [Fact]
    public void A_message_no_call_is_waiting_for_is_refused_naming_where_the_call_is()
    {
        var e = Assert.Throws<ArgumentException>(() => Caller().Step(new FlowInput(0, 9, "stray"), new Effects()));
        Assert.Contains("waiting for hold 0", e.Message);
    }
}

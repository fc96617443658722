using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Domain.Simulation.Resources;

/// <summary>
/// A spinlock or mutex in virtual time: granted in FIFO order of arrival (queued spinlocks and
/// mutex handoff are FIFO), and handed over at the cost of moving its cache line.
/// <para>
/// Timing, with ℓ the link latency (half a same-socket transfer) and T(a, b) a line transfer: a
/// request issued at t arrives at t + ℓ; if the lock is free it is granted there plus the
/// cross-socket surplus T(last, cpu) - 2ℓ, and the CPU sees the grant ℓ later — so an uncontended
/// acquire of a line last held elsewhere costs exactly T. A release issued at r arrives at r + ℓ and
/// grants the head waiter, which sees it at r + T(releaser, waiter). A re-acquire by the last owner is
/// charged the 2ℓ round trip too (on hardware the line may still be local): the one approximation.
/// </para>
/// Wait = grant time - arrival; hold = release arrival - grant time (the span no one else could
/// take it, including the two link latencies). Busy time = total hold.
/// </summary>
public sealed class FifoLock(Interconnect net)
{
    private readonly Queue<(int Requester, int Cpu, long Arrival)> _waiters = new();
    private int _owner = -1, _ownerRequester = -1, _lastOwner = -1;
    private long _grantedAt;

    public ResourceMetrics Metrics { get; } = new();
    public bool Held => _owner >= 0;
    public int QueueLength => _waiters.Count;

    /// <summary>A request from component <paramref name="requester"/> on <paramref name="cpu"/> arrives at <paramref name="now"/>.</summary>
    public Grant? Acquire(int requester, int cpu, long now)
    {
        if (_owner < 0 && _waiters.Count == 0)
        {
            Metrics.Acquired(contended: false);
            return GrantTo(requester, cpu, now + net.HandoverSurplus(_lastOwner, cpu), now);
        }
        if (requester == _ownerRequester)
            throw new InvalidOperationException($"component {requester} acquires a lock it already holds (self-deadlock)");
        Metrics.Acquired(contended: true);
        _waiters.Enqueue((requester, cpu, now));
        return null;
    }

    /// <summary>The owner's release arrives at <paramref name="now"/>; returns the next grant, if any.</summary>
    public Grant? Release(int requester, long now)
    {
        if (requester != _ownerRequester)
            throw new InvalidOperationException($"component {requester} releases a lock held by {_ownerRequester}");
        Metrics.Held(now - _grantedAt);
        var releaser = _owner;
        _lastOwner = releaser;
        _owner = _ownerRequester = -1;
        if (_waiters.Count == 0) return null;
        var next = _waiters.Dequeue();
        return GrantTo(next.Requester, next.Cpu, now + net.HandoverSurplus(releaser, next.Cpu), next.Arrival);
    }

    private Grant GrantTo(int requester, int cpu, long at, long arrival)
    {
        Metrics.Waited(at - arrival);
        _owner = cpu;
        _ownerRequester = requester;
        _grantedAt = at;
        return new Grant(requester, at);
    }
}

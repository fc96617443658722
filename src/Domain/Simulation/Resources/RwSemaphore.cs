using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Domain.Simulation.Resources;

/// <summary>
/// A reader-writer semaphore with mmap_lock's semantics (kernel/locking/rwsem.c):
/// <list type="bullet">
/// <item>readers share it; a writer excludes everyone;</item>
/// <item>once anyone waits, new readers queue too — a waiting writer blocks new readers, so writers are
/// not starved;</item>
/// <item>on release, if the first waiter is a writer it alone is woken; if it is a reader, every
/// reader in the queue is woken (up to MAX_READERS_WAKEUP = 256, as rwsem_mark_wake does), writers
/// keeping their places.</item>
/// </list>
/// Costs: every down and up is an atomic on the semaphore's count, one cache line (<see cref="CacheLine"/>):
/// those atomics serialize and pay a transfer whenever another CPU touched the line last — which is how
/// mmap_lock hurts many CPUs even when they all only read. A grant is due when the acquirer's atomic
/// completes; readers woken together are granted by the waker's one atomic. Optimistic spinning is not
/// modelled.
/// </summary>
public sealed class RwSemaphore(Interconnect net)
{
    public const int MaxReadersWakeup = 256;

    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Dictionary<int, long> _readersSince = new();
    private readonly CacheLine _count = new(net);
    private int _writer = -1;
    private long _writerSince;

    private readonly record struct Waiter(int Requester, int Cpu, bool Write, long Arrival);

    public ResourceMetrics Metrics { get; } = new();
    public int ActiveReaders => _readersSince.Count;
    public bool WriteLocked => _writer >= 0;
    public int QueueLength => _waiters.Count;

    /// <summary>down_read: granted now unless a writer holds it or anyone waits.</summary>
    public Grant? DownRead(int requester, int cpu, long now) => Down(new Waiter(requester, cpu, false, now), now);

    /// <summary>down_write: granted now only if nobody holds it and nobody waits.</summary>
    public Grant? DownWrite(int requester, int cpu, long now) => Down(new Waiter(requester, cpu, true, now), now);

    /// <summary>Transfers of the count's cache line.</summary>
    public long LineTransfers => _count.Transfers;

    private Grant? Down(Waiter w, long now)
    {
        var atomicDone = _count.Access(w.Requester, w.Cpu, now).At;
        var free = w.Write ? _writer < 0 && _readersSince.Count == 0 : _writer < 0;
        if (free && _waiters.Count == 0)
        {
            Metrics.Acquired(contended: atomicDone > now);
            return GrantTo(w, atomicDone);
        }
        if (_writer == w.Requester || _readersSince.ContainsKey(w.Requester))
            throw new InvalidOperationException($"component {w.Requester} takes an rwsem it already holds (self-deadlock)");
        Metrics.Acquired(contended: true);
        _waiters.AddLast(w);
        return null;
    }

    /// <summary>up_read / up_write arriving at <paramref name="now"/>; returns the waiters woken.</summary>
    public IReadOnlyList<Grant> Up(int requester, int cpu, long now)
    {
        if (_writer == requester)
        {
            Metrics.Held(now - _writerSince);
            _writer = -1;
        }
        else if (_readersSince.Remove(requester, out var since))
            Metrics.Held(now - since);
        else
            throw new InvalidOperationException($"component {requester} releases an rwsem it does not hold");
        return Wake(cpu, _count.Access(requester, cpu, now).At);
    }

    private IReadOnlyList<Grant> Wake(int waker, long now)
    {
        var first = _waiters.First;
        if (first is null || _writer >= 0) return [];
        if (first.Value.Write)
        {
            if (_readersSince.Count > 0) return [];
            _waiters.RemoveFirst();
            return [GrantTo(first.Value, now + net.HandoverSurplus(waker, first.Value.Cpu))];
        }
        var grants = new List<Grant>();
        for (var node = first; node is not null && grants.Count < MaxReadersWakeup;)
        {
            var next = node.Next;
            if (!node.Value.Write)
            {
                _waiters.Remove(node);
                grants.Add(GrantTo(node.Value, now + net.HandoverSurplus(waker, node.Value.Cpu)));
            }
            node = next;
        }
        return grants;
    }

    private Grant GrantTo(Waiter w, long at)
    {
        Metrics.Waited(at - w.Arrival);
        if (w.Write)
        {
            _writer = w.Requester;
            _writerSince = at;
        }
        else _readersSince[w.Requester] = at;
        return new Grant(w.Requester, at);
    }
}

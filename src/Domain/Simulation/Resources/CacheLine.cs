using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Domain.Simulation.Resources;

/// <summary>
/// A cache line several CPUs write (a refcount, a pincount, mm's counters): an atomic or a store needs
/// the line exclusively, so accesses are serialized and each by a CPU other than the current owner
/// pays a transfer.
/// <para>
/// An access issued at i (arriving at i + ℓ) completes at the CPU at max(i, line free) + T(owner, cpu),
/// or + <see cref="LocalOpNs"/> when the line is already there; never earlier than the link round trip
/// i + 2ℓ (the engine's lookahead). The line is then owned by that CPU and free for the next access.
/// A never-touched line is fetched at a same-socket transfer's cost. Busy time sums the time the line
/// spends moving or being operated on; "contended" counts accesses that found it busy.
/// </para>
/// </summary>
public sealed class CacheLine(Interconnect net)
{
    /// <summary>An atomic on a line already in the CPU's cache (a few cycles).</summary>
    public long LocalOpNs { get; init; } = 5;

    private int _owner = -1;
    private long _freeAt;

    public ResourceMetrics Metrics { get; } = new();
    public long Transfers { get; private set; }

    /// <summary>An access by <paramref name="requester"/> on <paramref name="cpu"/> arriving at <paramref name="now"/>.</summary>
    public Grant Access(int requester, int cpu, long now)
    {
        var issued = now - net.LinkLatencyNs;
        var start = Math.Max(issued, _freeAt);
        var cost = _owner == cpu ? LocalOpNs : _owner < 0 ? net.SameSocketNs : net.Transfer(_owner, cpu);
        if (_owner != cpu) Transfers++;
        var done = Math.Max(start + cost, issued + 2 * net.LinkLatencyNs);
        Metrics.Acquired(contended: _freeAt > issued);
        Metrics.Waited(start - issued);
        Metrics.Busy(cost);
        _owner = cpu;
        _freeAt = done;
        // The grant is stamped at the line so that the reply's link latency lands it at `done`.
        return new Grant(requester, done - net.LinkLatencyNs);
    }
}

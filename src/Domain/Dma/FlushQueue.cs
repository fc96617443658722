namespace Phyr.Domain.Dma;

/// <summary>
/// The lazy-mode flush queue of drivers/iommu/dma-iommu.c (queue_iova, fq_flush_iotlb, fq_flush_timeout):
/// unmapped IOVAs wait in a per-CPU ring of 256 entries; when a ring is full the whole domain's IOTLB is
/// flushed and every entry queued before that flush is freed; a 10 ms timer, armed by the first queued
/// entry, flushes and frees everything. Until its flush an entry's old translation may still sit in the
/// IOTLB: the device can reach memory that is already unmapped (the stale window).
/// </summary>
public sealed class FlushQueue(int entriesPerCpu = FlushQueue.DefaultSize, long timeoutNs = FlushQueue.DefaultTimeoutNs)
{
    /// <summary>IOVA_DEFAULT_FQ_SIZE.</summary>
    public const int DefaultSize = 256;

    /// <summary>IOVA_FQ_TIMEOUT: 10 ms.</summary>
    public const long DefaultTimeoutNs = 10_000_000;

    /// <summary>A queued IOVA range and the flush count when it was queued.</summary>
    public readonly record struct Entry(ulong IovaPfn, ulong Pages, long QueuedAt, long Counter);

    private readonly Dictionary<int, Queue<Entry>> _rings = [];
    private long _flushes;
    private bool _timerOn;

    public long TimeoutNs { get; } = timeoutNs;
    public long Flushes => _flushes;
    public int Pending => _rings.Values.Sum(q => q.Count);

    /// <summary>What a queue or timeout did: whether it flushed the IOTLB, what it freed, whether the caller must arm the timer.</summary>
    public readonly record struct Outcome(bool Flushed, IReadOnlyList<Entry> Freed, bool ArmTimer);

    /// <summary>queue_iova from <paramref name="cpu"/> at <paramref name="now"/>.</summary>
    public Outcome Queue(int cpu, ulong iovaPfn, ulong pages, long now)
    {
        if (!_rings.TryGetValue(cpu, out var ring)) _rings[cpu] = ring = new Queue<Entry>();
        var freed = new List<Entry>();
        FreeFlushed(ring, freed);
        var flushed = false;
        if (ring.Count >= entriesPerCpu)
        {
            _flushes++;
            flushed = true;
            FreeFlushed(ring, freed);
        }
        ring.Enqueue(new Entry(iovaPfn, pages, now, _flushes));
        var arm = !_timerOn;
        _timerOn = true;
        return new Outcome(flushed, freed, arm);
    }

    /// <summary>fq_flush_timeout: flush the IOTLB and free every queued entry.</summary>
    public Outcome Timeout()
    {
        _timerOn = false;
        var freed = new List<Entry>();
        if (Pending == 0) return new Outcome(false, freed, false);
        _flushes++;
        foreach (var cpu in _rings.Keys.Order()) FreeFlushed(_rings[cpu], freed);
        return new Outcome(true, freed, false);
    }

    /// <summary>fq_ring_free: entries queued before the last completed flush are safe to free.</summary>
    private void FreeFlushed(Queue<Entry> ring, List<Entry> freed)
    {
        while (ring.Count > 0 && ring.Peek().Counter < _flushes) freed.Add(ring.Dequeue());
    }
}

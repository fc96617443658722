namespace Phyr.Domain.Simulation.Metrics;

/// <summary>
/// What a contended resource measured: acquisitions, how many had to wait, wait and hold
/// distributions, and busy time. Owned and updated by the resource's model, in event order.
/// </summary>
public sealed class ResourceMetrics
{
    public long Acquisitions { get; private set; }
    public long Contended { get; private set; }
    public long BusyNs { get; private set; }
    public LatencyHistogram Wait { get; } = new();
    public LatencyHistogram Hold { get; } = new();

    public void Acquired(bool contended)
    {
        Acquisitions++;
        if (contended) Contended++;
    }

    public void Waited(long ns) => Wait.Record(ns);

    public void Held(long ns)
    {
        Hold.Record(ns);
        BusyNs += ns;
    }

    public void Busy(long ns) => BusyNs += ns;

    public ResourceMetricsSnapshot Snapshot(string name, string kind) =>
        new(name, kind, Acquisitions, Contended, Wait.Summary(), Hold.Summary(), BusyNs);
}

/// <summary>A resource's metrics at the end of a run.</summary>
public sealed record ResourceMetricsSnapshot(string Name, string Kind, long Acquisitions, long Contended,
    DistributionSummary Wait, DistributionSummary Hold, long BusyNs);

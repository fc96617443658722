namespace Phyr.Domain.Results;

/// <summary>
/// A distribution a component samples as it runs (one value per I/O, say), read off at the end as percentile
/// metrics. The catalogue of them, beside <see cref="Metric"/>'s.
/// </summary>
public sealed record Distribution(string Name, string Meaning)
{
    /// <summary>NVMe: each I/O's time from submission (its pin) to its unpin (<see cref="Metric.IoLatencyNsP50"/>, <see cref="Metric.IoLatencyNsP99"/>).</summary>
    public static readonly Distribution IoLatency = new("io_latency", "submit-to-unpin latency of an NVMe I/O, ns");
}

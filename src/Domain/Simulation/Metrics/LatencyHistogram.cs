using HdrHistogram;

namespace Phyr.Domain.Simulation.Metrics;

/// <summary>
/// A distribution of virtual-time durations (ns), kept in an HdrHistogram with 3 significant digits.
/// The histogram is allocated on the first value, so an idle resource costs nothing.
/// </summary>
public sealed class LatencyHistogram
{
    private const long HighestTrackableNs = 3_600_000_000_000; // one virtual hour
    private LongHistogram? _histogram;

    public long Count => _histogram?.TotalCount ?? 0;

    public void Record(long ns)
    {
        if (ns < 0) throw new ArgumentOutOfRangeException(nameof(ns), ns, "a duration cannot be negative");
        _histogram ??= new LongHistogram(HighestTrackableNs, 3);
        _histogram.RecordValue(Math.Min(ns, HighestTrackableNs));
    }

    /// <summary>Records <paramref name="ns"/> <paramref name="count"/> times (nothing for a count of 0).</summary>
    public void Record(long ns, long count)
    {
        if (ns < 0) throw new ArgumentOutOfRangeException(nameof(ns), ns, "a duration cannot be negative");
        if (count <= 0) return;
        _histogram ??= new LongHistogram(HighestTrackableNs, 3);
        _histogram.RecordValueWithCount(Math.Min(ns, HighestTrackableNs), count);
    }

    /// <summary>Adds every value of <paramref name="other"/> (to aggregate a class of resources; order does not matter).</summary>
    public void Add(LatencyHistogram other)
    {
        if (other._histogram is null) return;
        _histogram ??= new LongHistogram(HighestTrackableNs, 3);
        _histogram.Add(other._histogram);
    }

    public long Percentile(double p) => _histogram is null ? 0 : _histogram.GetValueAtPercentile(p);
    public long Max => _histogram is null ? 0 : _histogram.GetMaxValue();

    public DistributionSummary Summary() => new(Count, Percentile(50), Percentile(99), Max);
}

/// <summary>p50, p99 and max of a distribution, in ns.</summary>
public readonly record struct DistributionSummary(long Count, long P50, long P99, long Max);

using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Domain.Simulation.Resources;

/// <summary>
/// A server that handles one request at a time in arrival order, each for its service time: an
/// IOMMU invalidation queue, a device's command processor. Wait = time queued; hold = service time.
/// </summary>
public sealed class QueuedServer
{
    private long _busyUntil;

    public ResourceMetrics Metrics { get; } = new();

    /// <summary>A request arriving at <paramref name="now"/> needing <paramref name="serviceNs"/>; granted when served.</summary>
    public Grant Serve(int requester, long now, long serviceNs)
    {
        if (serviceNs < 0) throw new ArgumentOutOfRangeException(nameof(serviceNs), serviceNs, "service time cannot be negative");
        var start = Math.Max(now, _busyUntil);
        Metrics.Acquired(contended: start > now);
        Metrics.Waited(start - now);
        Metrics.Held(serviceNs);
        _busyUntil = start + serviceNs;
        return new Grant(requester, _busyUntil);
    }
}

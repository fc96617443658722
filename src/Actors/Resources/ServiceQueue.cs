using Phyr.Actors.Engine;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>A queued server (an IOMMU invalidation queue, a device) as a component, over <see cref="QueuedServer"/>.</summary>
public sealed class ServiceQueue(string name, string kind = "queue") : SimComponent(name)
{
    /// <summary>A request needing <paramref name="ServiceNs"/> of the server's time.</summary>
    public sealed record Submit(long ServiceNs);

    /// <summary>The request was served.</summary>
    public sealed record Completed;

    private static readonly Completed CompletedMessage = new();
    private readonly QueuedServer _server = new();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        if (message is not Submit s) throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        var g = _server.Serve(ctx.Sender, ctx.Now, s.ServiceNs);
        ctx.Send(g.Requester, CompletedMessage, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_server.Metrics.Snapshot(Name, kind)];
}

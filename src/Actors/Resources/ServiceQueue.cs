using Phyr.Actors.Engine;
using Phyr.Domain.Simulation.Metrics;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Resources;

/// <summary>A queued server as a component of its own, over <see cref="QueuedServer"/> (<see cref="QueuedServerProtocol"/>).</summary>
public sealed class ServiceQueue(string name, string kind = "queue") : SimComponent(name)
{
    private readonly QueuedServer _server = new();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        if (message is not QueuedServerProtocol.Submit s) throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        var g = _server.Serve(ctx.Sender, ctx.Now, s.ServiceNs);
        ctx.Send(g.Requester, QueuedServerProtocol.Completed.Instance, g.At - ctx.Now + ctx.Lookahead);
    }

    public override IEnumerable<ResourceMetricsSnapshot> ResourceMetrics() => [_server.Metrics.Snapshot(Name, kind)];
}

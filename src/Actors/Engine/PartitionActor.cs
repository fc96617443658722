using Akka.Actor;
using Phyr.Domain.Simulation;

namespace Phyr.Actors.Engine;

/// <summary>
/// The Akka.NET actor hosting one <see cref="Partition"/>. It runs a window when told to, sends the
/// window's cross-partition events to their partitions in one batch each, then reports to the
/// coordinator. Because a local Tell enqueues synchronously, the batches are in their targets'
/// mailboxes before the coordinator can start the next window.
/// </summary>
internal sealed class PartitionActor : UntypedActor
{
    /// <summary>The peers (by partition index) and the coordinator.</summary>
    public sealed record Init(IActorRef[] Peers, IActorRef Coordinator);

    /// <summary>Handle every event stamped before <paramref name="Horizon"/>.</summary>
    public sealed record Advance(long Horizon);

    /// <summary>Events another partition sent here during its last window.</summary>
    public sealed record Deliver(SimEvent[] Events);

    private readonly Partition _partition;
    private IActorRef[] _peers = [];
    private IActorRef _coordinator = ActorRefs.Nobody;
    private bool _failed;

    public PartitionActor(Partition partition) => _partition = partition;

    protected override void OnReceive(object message)
    {
        if (_failed) return;
        try
        {
            switch (message)
            {
                case Deliver d:
                    foreach (var e in d.Events) _partition.Accept(e);
                    break;
                case Advance a:
                    _partition.RunUntil(a.Horizon);
                    var minSent = new long[_peers.Length];
                    for (var p = 0; p < _peers.Length; p++)
                    {
                        var (events, min) = _partition.TakeOutbox(p);
                        minSent[p] = min;
                        if (events.Length > 0) _peers[p].Tell(new Deliver(events));
                    }
                    _coordinator.Tell(new Coordinator.Done(_partition.Index, _partition.NextTime, minSent));
                    break;
                case Init i:
                    _peers = i.Peers;
                    _coordinator = i.Coordinator;
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
        catch (Exception e)
        {
            _failed = true;
            _coordinator.Tell(new Coordinator.Failed(_partition.Index, e));
        }
    }
}

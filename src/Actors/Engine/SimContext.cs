using Phyr.Domain.Simulation;

namespace Phyr.Actors.Engine;

/// <summary>
/// What a component sees while handling a message: the time, who sent it, and how to send. One per
/// partition, reused for every event.
/// </summary>
public sealed class SimContext
{
    private readonly Partition _partition;
    private SimComponent _self = null!;

    internal SimContext(Partition partition) => _partition = partition;

    /// <summary>Virtual time of the message being handled, in ns.</summary>
    public long Now { get; private set; }

    /// <summary>Id of the sending component; <see cref="Simulation.Environment"/> for injected messages.</summary>
    public int Sender { get; private set; }

    public SimComponent Self => _self;

    /// <summary>The run's lookahead: the minimum latency of a message to another component.</summary>
    public long Lookahead => _partition.Lookahead;

    internal void Enter(SimComponent self, in SimEvent e)
    {
        _self = self;
        Now = e.Time;
        Sender = e.Key.Source;
    }

    /// <summary>
    /// Sends <paramref name="message"/> to component <paramref name="target"/>, arriving after
    /// <paramref name="latency"/> ns. To another component the latency must be at least the lookahead.
    /// </summary>
    public void Send(int target, object message, long latency)
    {
        if (target != _self.Id && latency < _partition.Lookahead)
            throw new CausalityException(
                $"{_self.Name} sent {message.GetType().Name} to component {target} with latency {latency} ns, " +
                $"below the lookahead of {_partition.Lookahead} ns");
        if (latency < 0)
            throw new CausalityException($"{_self.Name} scheduled {message.GetType().Name} {-latency} ns in the past");
        var key = new EventKey(checked(Now + latency), _self.Id, _self.SendSeq++);
        _partition.Route(new SimEvent(key, target, message));
    }

    /// <summary>Sends to another component with the lookahead as latency (the link's one-way time).</summary>
    public void Send(int target, object message) => Send(target, message, _partition.Lookahead);

    /// <summary>Replies to the sender of the message being handled.</summary>
    public void Reply(object message, long latency) => Send(Sender, message, latency);

    /// <summary>A message to self after <paramref name="delay"/> ns (a timer); 0 is allowed.</summary>
    public void Schedule(long delay, object message) => Send(_self.Id, message, delay);
}

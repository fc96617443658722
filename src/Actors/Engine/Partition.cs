using Phyr.Domain.Simulation;

namespace Phyr.Actors.Engine;

/// <summary>
/// A logical process: the components of one partition, their pending events in key order, and the
/// events they sent to other partitions during the current window. Plain C#: the Akka actor that hosts
/// it (<see cref="PartitionActor"/>) only feeds it windows and batches.
/// </summary>
internal sealed class Partition
{
    private readonly SimComponent[] _components; // all components, by id (read-only, shared)
    private readonly int[] _partitionOf;          // partition of each component id (read-only, shared)
    private readonly EventQueue _queue = new();
    private readonly List<SimEvent>[] _outbox;
    private readonly long[] _minSent;
    private readonly SimContext _ctx;

    public Partition(int index, int partitions, long lookahead, SimComponent[] components, int[] partitionOf)
    {
        Index = index;
        Lookahead = lookahead;
        _components = components;
        _partitionOf = partitionOf;
        _outbox = new List<SimEvent>[partitions];
        _minSent = new long[partitions];
        for (var p = 0; p < partitions; p++) _outbox[p] = [];
        Array.Fill(_minSent, long.MaxValue);
        _ctx = new SimContext(this);
    }

    public int Index { get; }
    public long Lookahead { get; }

    /// <summary>Everything before this time has been handled: no event may arrive stamped earlier.</summary>
    public long ProcessedUntil { get; private set; } = long.MinValue;

    public long Events { get; private set; }
    public long SentAcross { get; private set; }
    public long NextTime => _queue.NextTime;

    /// <summary>An event from another partition (or injected before the run).</summary>
    public void Accept(in SimEvent e)
    {
        if (e.Time < ProcessedUntil)
            throw new CausalityException(
                $"partition {Index} received {e.Payload.GetType().Name} for {_components[e.Target].Name} stamped {e.Time} ns, " +
                $"but has already handled everything before {ProcessedUntil} ns");
        _queue.Enqueue(e);
    }

    /// <summary>Where a component's send goes: this partition's queue, or the outbox of another.</summary>
    public void Route(in SimEvent e)
    {
        if ((uint)e.Target >= (uint)_components.Length)
            throw new ArgumentException($"{_ctx.Self.Name} sent {e.Payload.GetType().Name} to component {e.Target}, which does not exist");
        var p = _partitionOf[e.Target];
        if (p == Index)
        {
            _queue.Enqueue(e);
            return;
        }
        _outbox[p].Add(e);
        if (e.Time < _minSent[p]) _minSent[p] = e.Time;
        SentAcross++;
    }

    /// <summary>Handles every event stamped before <paramref name="horizon"/>, in key order.</summary>
    public void RunUntil(long horizon)
    {
        while (_queue.TryPeek(out var next) && next.Time < horizon)
        {
            var e = _queue.Dequeue();
            var c = _components[e.Target];
            if (e.Time < c.Clock)
                throw new CausalityException(
                    $"{c.Name} at {c.Clock} ns was handed {e.Payload.GetType().Name} stamped {e.Time} ns (from component {e.Key.Source})");
            c.Clock = e.Time;
            c.Handled++;
            c.Digest = EventDigest.Fold(EventDigest.Fold(EventDigest.Fold(EventDigest.Fold(c.Digest,
                (ulong)e.Time), (ulong)(uint)e.Key.Source), (ulong)e.Key.Seq), EventDigest.OfType(e.Payload.GetType()));
            Events++;
            _ctx.Enter(c, e);
            c.OnMessage(_ctx, e.Payload);
        }
        if (horizon > ProcessedUntil) ProcessedUntil = horizon;
    }

    /// <summary>Takes the events sent to partition <paramref name="p"/> this window, and their earliest stamp.</summary>
    public (SimEvent[] Events, long MinTime) TakeOutbox(int p)
    {
        var list = _outbox[p];
        if (list.Count == 0) return ([], long.MaxValue);
        var events = list.ToArray();
        var min = _minSent[p];
        list.Clear();
        _minSent[p] = long.MaxValue;
        return (events, min);
    }
}

using Akka.Actor;

namespace Phyr.Actors.Engine;

/// <summary>
/// Drives conservative windows. Each round it knows every partition's earliest pending event next[q];
/// partition p may safely handle everything before min(min over q != p of next[q] + lookahead,
/// next[p] + 2 x lookahead): another partition cannot send anything earlier — neither from its own
/// events, nor in answer to one of p's (which arrive at next[p] + lookahead at the earliest). Partitions with nothing before their horizon
/// sit the round out, and empty stretches of virtual time are skipped because horizons follow the
/// next events, not a fixed clock. Rounds end when every advanced partition reports Done.
/// </summary>
internal sealed class Coordinator : UntypedActor
{
    public sealed record Start(IActorRef[] Partitions, long[] Next);

    /// <summary>A partition finished its window: its next event, and the earliest stamp it sent to each partition.</summary>
    public sealed record Done(int Partition, long Next, long[] MinSent);

    public sealed record Failed(int Partition, Exception Error);

    /// <summary>Rounds run, and Advance messages sent (each answered by one Done).</summary>
    public sealed record RoundStats(long Rounds, long Advances);

    private readonly long _lookahead;
    private readonly long _endTime;
    private readonly TaskCompletionSource<RoundStats> _rounds;
    private IActorRef[] _partitions = [];
    private long[] _next = [];
    private long[] _inbound = [];
    private int _pending;
    private long _roundCount, _advances;

    public Coordinator(long lookahead, long endTime, TaskCompletionSource<RoundStats> rounds)
    {
        _lookahead = lookahead;
        _endTime = endTime;
        _rounds = rounds;
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Start s:
                _partitions = s.Partitions;
                _next = s.Next;
                _inbound = new long[_next.Length];
                Array.Fill(_inbound, long.MaxValue);
                Round();
                break;
            case Done d:
                _next[d.Partition] = d.Next;
                for (var p = 0; p < d.MinSent.Length; p++)
                    if (d.MinSent[p] < _inbound[p]) _inbound[p] = d.MinSent[p];
                if (--_pending == 0)
                {
                    for (var p = 0; p < _next.Length; p++)
                    {
                        if (_inbound[p] < _next[p]) _next[p] = _inbound[p];
                        _inbound[p] = long.MaxValue;
                    }
                    Round();
                }
                break;
            case Failed f:
                _rounds.TrySetException(f.Error);
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>t + d, or the end time when that would pass it (or overflow).</summary>
    private long Bound(long t, long d) => t >= _endTime - d ? _endTime : t + d;

    private void Round()
    {
        // The two smallest next times give every partition's "minimum over the others".
        long min1 = long.MaxValue, min2 = long.MaxValue;
        var minIndex = -1;
        for (var p = 0; p < _next.Length; p++)
        {
            if (_next[p] < min1)
            {
                min2 = min1;
                min1 = _next[p];
                minIndex = p;
            }
            else if (_next[p] < min2) min2 = _next[p];
        }
        if (min1 >= _endTime)
        {
            _rounds.TrySetResult(new RoundStats(_roundCount, _advances));
            Context.Stop(Self);
            return;
        }
        _roundCount++;
        for (var p = 0; p < _next.Length; p++)
        {
            var othersMin = p == minIndex ? min2 : min1;
            var horizon = Math.Min(Bound(othersMin, _lookahead), Bound(_next[p], 2 * _lookahead));
            if (_next[p] >= horizon) continue;
            _pending++;
            _advances++;
            _partitions[p].Tell(new PartitionActor.Advance(horizon));
        }
    }
}

using Akka.Actor;
using Phyr.Domain.Simulation;

namespace Phyr.Actors.Engine;

/// <summary>
/// The Akka.NET actor hosting one <see cref="Partition"/>, synchronised with its peers without a
/// coordinator. A round: compute this partition's horizon from everyone's next-event times
/// (<see cref="Horizons"/>), handle the events before it, then send each peer one <see cref="Report"/>
/// — the events for it, this partition's next event, and the earliest stamp sent to every partition.
/// When the reports of the round from all peers are in, every partition knows the same next-event
/// vector and starts the next round. All decide together that the run is over; partition 0 then
/// completes the run. Rounds never overlap: events a peer sends in round k are stamped at or after
/// this partition's horizon of round k, so they may arrive early and wait in the queue.
/// </summary>
internal sealed class PartitionActor : UntypedActor
{
    /// <summary>Starts round 0. A peer's first report may come before it: it waits in its round's state.</summary>
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }

    /// <summary>A peer's end of round <paramref name="Round"/>.</summary>
    public sealed record Report(int From, long Round, long Next, long[] MinSent, SimEvent[] Events);

    /// <summary>How a run went: the rounds (each partition sent one report to each peer per round).</summary>
    public sealed record RunStats(long Rounds);

    // A round's reports as they come in. Rounds never overlap by more than one (a peer that finished round k may report
    // k + 1 before this partition finishes k, never k + 2), so two states, by the round's parity, are reused throughout.
    private sealed class RoundState
    {
        public readonly long[] Next;
        public readonly long[] Inbound;
        public int Reported;

        public RoundState(int partitions)
        {
            (Next, Inbound) = (new long[partitions], new long[partitions]);
            Reset();
        }

        public void Reset()
        {
            Array.Fill(Next, long.MaxValue);
            Array.Fill(Inbound, long.MaxValue);
            Reported = 0;
        }
    }

    private readonly Partition _partition;
    private readonly long _endTime;
    private readonly TaskCompletionSource<RunStats> _completion;
    private readonly RoundState[] _rounds;
    private readonly IActorRef[] _peers;
    private readonly long[] _next;
    private long _round;
    private bool _stopped;

    /// <param name="peers">Every partition's actor by index; filled in before any partition is started.</param>
    /// <param name="next">Every partition's first event time.</param>
    public PartitionActor(Partition partition, IActorRef[] peers, long[] next, long endTime, TaskCompletionSource<RunStats> completion)
    {
        _partition = partition;
        _peers = peers;
        _next = next;
        _endTime = endTime;
        _completion = completion;
        _rounds = [new RoundState(peers.Length), new RoundState(peers.Length)];
    }

    protected override void OnReceive(object message)
    {
        if (_stopped) return;
        try
        {
            switch (message)
            {
                case Report r:
                    foreach (var e in r.Events) _partition.Accept(e);
                    Contribute(r.Round, r.From, r.Next, r.MinSent);
                    break;
                case Start:
                    RunRounds();
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
        catch (Exception e)
        {
            _stopped = true;
            _completion.TrySetException(e);
        }
    }

    /// <summary>Runs rounds for as long as the reports they need are already here.</summary>
    private void RunRounds()
    {
        while (!_stopped)
        {
            if (Horizons.Min(_next) >= _endTime)
            {
                _stopped = true;
                if (_partition.Index == 0) _completion.TrySetResult(new RunStats(_round));
                return;
            }
            var horizon = Horizons.For(_partition.Index, _next, _partition.Lookahead, _endTime);
            if (_partition.NextTime < horizon) _partition.RunUntil(horizon);

            var minSent = new long[_peers.Length];
            var outgoing = new SimEvent[_peers.Length][];
            for (var q = 0; q < _peers.Length; q++) (outgoing[q], minSent[q]) = _partition.TakeOutbox(q);
            var next = _partition.NextTime;
            for (var q = 0; q < _peers.Length; q++)
                if (q != _partition.Index) _peers[q].Tell(new Report(_partition.Index, _round, next, minSent, outgoing[q]));
            if (!Contribute(_round, _partition.Index, next, minSent)) return; // wait for the peers
        }
    }

    /// <summary>Adds one partition's report to its round; when the current round is complete, moves on.</summary>
    private bool Contribute(long round, int from, long next, long[] minSent)
    {
        if (round != _round && round != _round + 1)
            throw new InvalidOperationException($"partition {_partition.Index} in round {_round} got a report of round {round}");
        var state = _rounds[round & 1];
        state.Next[from] = next;
        for (var q = 0; q < minSent.Length; q++) state.Inbound[q] = Math.Min(state.Inbound[q], minSent[q]);
        state.Reported++;
        if (round != _round || state.Reported < _peers.Length) return false;

        for (var q = 0; q < _next.Length; q++) _next[q] = Math.Min(state.Next[q], state.Inbound[q]);
        state.Reset();
        _round++;
        if (from != _partition.Index) RunRounds(); // a peer's report completed the round: go on from here
        return true;
    }
}

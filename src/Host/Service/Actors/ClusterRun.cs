using Akka.Actor;
using Akka.Cluster;
using Phyr.Domain.Experiments;
using Phyr.Domain.Service;

namespace Phyr.Host.Service.Actors;

/// <summary>
/// One experiment's points spread over the cluster: sends each point to the sharded <see cref="PointWorker"/>
/// region, keeping <see cref="Prefetch"/> × <see cref="ServiceOptions.Parallelism"/> points per worker node in flight, and hands each
/// answer to <paramref name="onPoint"/>. When a member leaves, is removed or becomes unreachable — and every
/// <see cref="ResendEvery"/> — every point still unanswered is sent again: once the departed node's shards live on
/// another node, that node runs them (an answer that comes twice is counted once). Completes <paramref name="finished"/> with the number of points answered, when all
/// are, or when the run is cancelled.
/// </summary>
public sealed class ClusterRun : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Unanswered points are also sent again this often: a point sent while its shard still pointed at a node being
    /// removed is lost, and only a later send reaches the shard's new home. A point still running just gains an asker.
    /// </summary>
    public static readonly TimeSpan ResendEvery = TimeSpan.FromSeconds(5);

    /// <summary>Points in flight per slot (Parallelism per worker node).</summary>
    public const int Prefetch = 2;

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record Resend;
    private sealed record Cancelled;

    private readonly Queue<ExperimentPoint> _waiting;
    private readonly Dictionary<int, PointWorker.Run> _inFlight = [];
    private readonly HashSet<int> _answered = [];
    private readonly int _total;
    private readonly TaskCompletionSource<int> _finished;

    public ClusterRun(string id, ExperimentRecord record, IReadOnlyList<ExperimentPoint> todo, IActorRef region, int parallelism,
        Action<PointWorker.Done> onPoint, TaskCompletionSource<int> finished, CancellationToken cancel)
    {
        _finished = finished;
        _waiting = new Queue<ExperimentPoint>(todo);
        _total = todo.Count;
        var cluster = Cluster.Get(Context.System);
        // Points land on nodes by their shard (a hash), not by who is free: with only as many in flight as there are
        // slots, two often land on one node while the other idles. So each slot gets a second point queued behind it
        // (a node runs at most Parallelism at once; the rest wait there).
        int Window() => Math.Max(1, Prefetch * parallelism * cluster.State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole("worker")));
        void Fill()
        {
            while (_inFlight.Count < Window() && _waiting.TryDequeue(out var p))
            {
                var run = new PointWorker.Run(id, p.Index, record.Source, record.ShippedName, record.Seed);
                _inFlight[p.Index] = run;
                region.Tell(run);
            }
            if (_inFlight.Count == 0 && _waiting.Count == 0)
            {
                finished.TrySetResult(_answered.Count);
                Context.Stop(Self);
            }
        }

        Receive<PointWorker.Done>(d =>
        {
            if (d.ExperimentId != id || !_inFlight.Remove(d.Index) || !_answered.Add(d.Index)) return;
            if (d.Point is null)
            {
                // A point that cannot run fails the run (deterministic: it would fail on any node).
                finished.TrySetException(new InvalidOperationException($"point {d.Index} failed on {d.Node}: {d.Error}"));
                Context.Stop(Self);
                return;
            }
            onPoint(d);
            Fill();
        });
        // A member going away: what it had in flight runs again elsewhere. A member coming: more room in flight.
        Receive<ClusterEvent.MemberRemoved>(_ => Self.Tell(new Resend()));
        Receive<ClusterEvent.MemberExited>(_ => Self.Tell(new Resend()));
        Receive<ClusterEvent.UnreachableMember>(_ => Self.Tell(new Resend()));
        Receive<ClusterEvent.IMemberEvent>(_ => Fill());
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<ClusterEvent.ReachableMember>(_ => { });
        Receive<Resend>(_ =>
        {
            foreach (var run in _inFlight.Values) region.Tell(run);
            Fill();
        });
        Receive<Cancelled>(_ =>
        {
            finished.TrySetResult(_answered.Count);
            Context.Stop(Self);
        });
        var me = Self;
        cancel.Register(() => me.Tell(new Cancelled()));
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Fill();
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("resend", new Resend(), ResendEvery);

    protected override void PostStop()
    {
        Cluster.Get(Context.System).Unsubscribe(Self);
        // Stopped for any reason: the run hears how far it got (fewer than all: the experiment ends failed or cancelled).
        _finished.TrySetResult(_answered.Count);
    }
}

using Akka.Actor;
using Akka.Persistence;
using Phyr.Domain.Service;

namespace Phyr.Host.Service;

/// <summary>
/// One experiment's finished points, a persistent actor (persistence id <c>results-ID</c>). Points arrive one
/// by one and are written in batches — when <see cref="BatchSize"/> are waiting, every
/// <see cref="FlushInterval"/>, and on <see cref="Flush"/> — since the journal is slow per event. A point not yet
/// written when the process dies is simply run again (results are deterministic). Idle for
/// <see cref="IdleAfter"/> (never while a run writes to it), it asks the registry to stop it; the registry makes
/// a new one when next asked.
/// </summary>
public sealed class ExperimentResults : ReceivePersistentActor, IWithTimers
{
    public const int BatchSize = 32;
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    public sealed record Store(StoredPoint Point);
    public sealed record Flush;
    public sealed record Flushed(int Points);
    public sealed record GetPoints;

    /// <summary>A run starts writing here: no idling until its <see cref="Flush"/>.</summary>
    public sealed record BeginRun;

    /// <summary>Every point stored or waiting to be, in index order.</summary>
    public sealed record Points(IReadOnlyList<StoredPoint> All);

    private sealed record FlushTick;

    private readonly string _id;
    private readonly SortedDictionary<int, StoredPoint> _points = [];
    private readonly List<StoredPoint> _pending = [];

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => $"results-{_id}";

    public ExperimentResults(string id)
    {
        _id = id;
        Recover<PointsStored>(e =>
        {
            foreach (var p in e.Points) _points[p.Index] = p;
        });
        Command<Store>(s =>
        {
            // A run is writing here: never idle until it flushes at its end.
            Context.SetReceiveTimeout(null);
            if (_points.ContainsKey(s.Point.Index)) return; // re-run after a restart: the stored one stands
            _points[s.Point.Index] = s.Point;
            _pending.Add(s.Point);
            if (_pending.Count >= BatchSize) Write(null);
            else if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", new FlushTick(), FlushInterval);
        });
        Command<FlushTick>(_ => Write(null));
        Command<Flush>(_ =>
        {
            Write(Sender);
            Context.SetReceiveTimeout(IdleAfter);
        });
        Command<GetPoints>(_ => Sender.Tell(new Points([.. _points.Values])));
        Command<BeginRun>(_ => Context.SetReceiveTimeout(null));
        Command<ReceiveTimeout>(_ =>
        {
            if (_pending.Count == 0) Context.Parent.Tell(new ExperimentRegistry.ResultsIdle(_id));
        });
    }

    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(5);

    protected override void PreStart()
    {
        base.PreStart();
        Context.SetReceiveTimeout(IdleAfter);
    }

    private void Write(IActorRef? replyTo)
    {
        Timers.Cancel("flush");
        if (_pending.Count == 0)
        {
            replyTo?.Tell(new Flushed(_points.Count));
            return;
        }
        var batch = new PointsStored([.. _pending]);
        _pending.Clear();
        Persist(batch, _ => replyTo?.Tell(new Flushed(_points.Count)));
    }
}

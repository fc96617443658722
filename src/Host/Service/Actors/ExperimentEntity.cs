using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;
using Phyr.Domain.Service;

namespace Phyr.Host.Service.Actors;

/// <summary>
/// One experiment: its run and its finished points, a persistent actor (persistence id <c>results-ID</c>). In a
/// cluster it is an entity of the sharded region <c>experiment</c> (remember-entities on); alone, a child of the
/// registry. Told to <see cref="RunExperiment"/> it persists the request, builds the experiment from what was
/// submitted, runs the points not stored yet — here, or over the cluster's point entities
/// (<see cref="ClusterRun"/>) — stores each as it finishes (in batches: the journal is slow per event), reports
/// progress, persists how the run ended and tells the registry until it answers. Started again after a crash, or
/// on another node after its node died, it recovers the request and resumes by itself. Idle for
/// <see cref="IdleAfter"/> after its run, it asks to be stopped (and, sharded, is forgotten).
/// </summary>
public sealed partial class ExperimentEntity : ReceivePersistentActor, IWithTimers
{
    public const string Region = "experiment";
    public const string Dispatcher = "phyr-service-sim";
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(5);

    /// <summary>How often the end of a run is told again until the registry answers (it may be moving).</summary>
    public static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(5);

    // What a run tells this actor is tagged with the run (its cancellation source): after a restart — the same
    // actor reference, a new instance — what the old run still sends is recognised and dropped.
    private sealed record Built(object Run, Experiment Experiment);
    private sealed record BuildFailed(object Run, string Error);
    private sealed record PointAnswered(object Run, StoredPoint Point, string? Node);
    private sealed record RunDone(object Run, int Answered, bool Cancelled, string? Error);
    private sealed record FlushTick;
    private sealed record ReportTick;

    private readonly string _id;
    private readonly ExperimentCatalog _catalog;
    private readonly ServiceOptions _options;
    private readonly IActorRef? _registry;
    private readonly IActorRef? _pointRegion;
    private readonly bool _sharded;
    private readonly string? _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ExperimentLifecycle _state = ExperimentLifecycle.Empty;

    // What this incarnation's run needs besides its state: the cancellation of the run (also its tag), the clock of its ETA.
    private CancellationTokenSource? _cancel;
    private Stopwatch _clock = new();
    private long _runs;

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => $"results-{_id}";

    /// <param name="registry">Where progress and the end go: the registry's singleton proxy in a cluster; null alone (the parent is the registry).</param>
    /// <param name="pointRegion">The sharded point region in a cluster (points run on every worker node); null: they run here.</param>
    public ExperimentEntity(string id, ExperimentCatalog catalog, ServiceOptions options, IActorRef? registry = null, IActorRef? pointRegion = null,
        bool sharded = false)
    {
        _id = id;
        _catalog = catalog;
        _options = options;
        _registry = registry;
        _pointRegion = pointRegion;
        _sharded = sharded;
        _node = sharded ? Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString() : null;
        Recover<RunEvent>(e => _state = _state.Apply(e));
        Recover<PointsStored>(e => _state = _state.Apply(e));
        // Started again (a restart, or another node after this one's died): finish what was asked.
        Recover<RecoveryCompleted>(_ => Act(_state.Decide(recovered: true), null));

        Command<RunExperiment>(r => Act(_state.Decide(), r.Record));
        Command<CancelRun>(_ => _cancel?.Cancel());
        Command<GetPoints>(_ => Sender.Tell(new Points([.. _state.Points.Values], _state.Requested)));
        // Retention: its journal (the request, the points, the end) and snapshots go; then it stops.
        Command<Forget>(_ =>
        {
            _cancel?.Cancel();
            DeleteMessages(long.MaxValue);
            DeleteSnapshots(SnapshotSelectionCriteria.Latest);
        });
        Command<DeleteMessagesSuccess>(_ =>
        {
            _state = ExperimentLifecycle.Empty;
            if (_sharded) Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            else Context.Parent.Tell(new ExperimentRegistry.ExperimentIdle(_id));
        });
        Command<DeleteMessagesFailure>(f => _log.Warning("Forgetting {0}: deleting its journal failed: {1}", _id, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<Built>(b =>
        {
            if (Current(b.Run)) Run(b);
        });
        Command<BuildFailed>(f =>
        {
            if (Current(f.Run)) Finish(_cancel!.IsCancellationRequested ? _state.End(ExperimentStatus.Cancelled, null) : _state.End(ExperimentStatus.Failed, f.Error));
        });
        Command<PointAnswered>(a =>
        {
            if (Current(a.Run)) Store(a);
        });
        Command<RunDone>(d =>
        {
            // Cancelled only if points are missing and a cancel was asked for; missing points otherwise: failed.
            if (Current(d.Run)) Finish(_state.Outcome(d.Answered, d.Cancelled, d.Error));
        });
        Command<FlushTick>(_ => Write());
        Command<ReportTick>(_ => Tell(EndMessage()));
        // The registry has the end: nothing more to do here but answer reads, until idle.
        Command<ExperimentRegistry.MarkFinished>(_ =>
        {
            Timers.Cancel("report");
            Context.SetReceiveTimeout(IdleAfter);
        });
        Command<ReceiveTimeout>(_ =>
        {
            if (_state.Running is not null || Timers.IsTimerActive("report")) return;
            if (_sharded) Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            else Context.Parent.Tell(new ExperimentRegistry.ExperimentIdle(_id));
        });
    }

    protected override void PreStart()
    {
        base.PreStart();
        Context.SetReceiveTimeout(IdleAfter);
    }

    /// <summary>A run's ClusterRun that throws is stopped, not restarted (a restart would send every point again).</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Stopped (the host stops, or the journal failed): the points running here stop too.</summary>
    protected override void PostStop()
    {
        _cancel?.Cancel();
        base.PostStop();
    }

    private void Tell(object message) => (_registry ?? Context.Parent).Tell(message);

    /// <summary>Does what the lifecycle decided (<paramref name="record"/>: what a first request submitted).</summary>
    private void Act(RunDecision decision, ExperimentRecord? record)
    {
        switch (decision)
        {
            case RunDecision.TellEnd:
                Report();
                break;
            case RunDecision.Resume:
                Begin();
                break;
            case RunDecision.Request:
                Persist(new RunEvent.Requested(record!), e =>
                {
                    _state = _state.Apply(e);
                    Begin();
                });
                break;
        }
    }

    /// <summary>Whether a message comes from the run in progress (not from one stopped by a restart).</summary>
    private bool Current(object run) => _state.Running is not null && ReferenceEquals(run, _cancel);

    /// <summary>Builds the experiment again from what was submitted (off the actor: it may be big).</summary>
    private void Begin()
    {
        if (_state.Running is not null) return; // one run per incarnation: a second would orphan the first
        _state = _state.Begin();
        Context.SetReceiveTimeout(null); // never idle while a run may write here
        _cancel = new CancellationTokenSource();
        var (record, catalog, run) = (_state.Requested!, _catalog, (object)_cancel);
        // In a cluster, where it failed matters: a pfn file by bare name must be on every worker node.
        var where = _node is null ? "" : $" (on {_node})";
        Task.Run(() =>
        {
            try
            {
                return (object)new Built(run, catalog.Build(record.Source, record.ShippedName, record.Seed));
            }
            catch (Exception e)
            {
                return new BuildFailed(run, (e is SubmissionException s ? s.Message : $"could not prepare the run: {e.Message}") + where);
            }
        }).PipeTo(Self);
    }

    private void Run(Built b)
    {
        var record = _state.Requested!;
        var token = _cancel!.Token;
        var pending = b.Experiment.Points.Where(p => !_state.Points.ContainsKey(p.Index)).ToList();
        // Everything stored already (a restart after the last point): complete. Cancelled while being built: never starts.
        if (pending.Count == 0 || token.IsCancellationRequested)
        {
            Finish(_state.End(pending.Count == 0 ? ExperimentStatus.Completed : ExperimentStatus.Cancelled, null));
            return;
        }
        _state = _state.Started(pending.Count);
        _clock = Stopwatch.StartNew();
        _log.Info("Running {0} ({1}): {2} points, {3} stored already", _id, record.Name, b.Experiment.Points.Count, _state.Points.Count);
        Tell(new ExperimentRegistry.Progress(_id, _state.Points.Count, null, Nodes(), _node));
        var (self, tag) = (Self, b.Run);
        Task<int> run;
        if (_pointRegion is null)
        {
            var (todo, system, parallelism) = (b.Experiment with { Points = pending }, Context.System, _options.Parallelism);
            run = Task.Run(async () => (await ExperimentRunner.RunAsync(todo, system, Dispatcher, parallelism,
                (point, _) => self.Tell(new PointAnswered(tag, StoredPoints.From(point), null)), token).ConfigureAwait(false)).Count);
        }
        else
        {
            // Spread over the cluster's worker nodes; answers come here in order before the run's end does.
            var all = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Action<PointWorker.Done> onPoint = d => self.Tell(new PointAnswered(tag, d.Point!, d.Node));
            var (region, parallelism) = (_pointRegion, _options.Parallelism);
            Context.ActorOf(Props.Create(() => new ClusterRun(_id, record, pending, region, parallelism, onPoint, all, token)), $"run-{++_runs}");
            run = all.Task;
        }
        run.ContinueWith(x => x.IsCompletedSuccessfully ? new RunDone(tag, x.Result, token.IsCancellationRequested, null)
            : new RunDone(tag, 0, false, x.Exception?.GetBaseException().Message ?? "the run failed"), TaskScheduler.Default).PipeTo(self);
    }

    private void Store(PointAnswered a)
    {
        (_state, var kept) = _state.Answered(a.Node is null ? a.Point : a.Point with { Node = a.Node });
        if (!kept) return; // ran twice (resent, or after a restart): the stored one stands
        if (_state.BatchFull) Write();
        else if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", new FlushTick(), FlushInterval);
        var run = _state.Running!;
        var eta = _clock.Elapsed.TotalSeconds / run.RanNow * (run.ToRun - run.RanNow);
        Tell(new ExperimentRegistry.Progress(_id, _state.Points.Count, Math.Round(Math.Max(0, eta), 1), Nodes(), _node));
    }

    /// <summary>In a cluster, the stored points per node that ran them (so far, over every run of this experiment).</summary>
    private SortedDictionary<string, int>? Nodes() => _sharded ? new SortedDictionary<string, int>(_state.Nodes, StringComparer.Ordinal) : null;

    /// <summary>Everything stored before the end is: a finished experiment's results are all in the journal.</summary>
    private void Finish(RunEvent.Ended ended)
    {
        _cancel?.Dispose();
        _cancel = null;
        Write();
        _state = _state with { Running = null };
        Persist(ended, e =>
        {
            _state = _state.Apply(e);
            Report();
        });
    }

    private ExperimentRegistry.MarkFinished EndMessage() =>
        new(_id, _state.Ended!.Status, _state.Ended.PointsDone, _state.Ended.Error, Nodes());

    /// <summary>Tells the registry how the run ended, again every <see cref="ReportEvery"/> until it answers.</summary>
    private void Report()
    {
        Tell(EndMessage());
        Timers.StartPeriodicTimer("report", new ReportTick(), ReportEvery);
    }

    private void Write()
    {
        Timers.Cancel("flush");
        (_state, var batch) = _state.TakePending();
        if (batch is not null) Persist(batch, _ => { });
    }
}

using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;
using Phyr.Domain.Service;

namespace Phyr.Host.Service;

/// <summary>
/// Runs the registry's experiments one at a time, their points <see cref="ServiceOptions.Parallelism"/> at once
/// on the simulation dispatcher. Before running it reads which points are already stored and runs only the
/// others, so an experiment interrupted by a crash resumes where its stored results end. Each finished point
/// goes to the experiment's <see cref="ExperimentResults"/>; progress and ETA go to the registry.
/// </summary>
public sealed class ExperimentExecutor : ReceiveActor
{
    public const string Dispatcher = "phyr-service-sim";

    public sealed record Wake;
    public sealed record CancelRun(string Id);

    private sealed record Ready(ExperimentRecord Record, Experiment Experiment, IActorRef Results, int Stored);
    private sealed record PointFinished(string Id, int Done, double? Eta, IReadOnlyDictionary<string, int>? Nodes);
    private sealed record RunEnded(string Id, IActorRef Results, int Done, bool Cancelled, string? Error);
    private sealed record Failed(string Id, string Error);
    private sealed record Recorded;
    private sealed record Todo(Ready Ready, IReadOnlyList<ExperimentPoint> Pending, int Stored);

    private readonly IActorRef _registry;
    private readonly IActorRef? _pointRegion;
    private readonly ExperimentCatalog _catalog;
    private readonly ServiceOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string? _running;
    private CancellationTokenSource? _cancel;
    private long _runs;

    public ExperimentExecutor(IActorRef registry, ExperimentCatalog catalog, ServiceOptions options, IActorRef? pointRegion = null)
    {
        _registry = registry;
        _pointRegion = pointRegion;
        _catalog = catalog;
        _options = options;
        Receive<Wake>(_ => AskNext());
        Receive<ExperimentRegistry.Idle>(_ => _running = null);
        Receive<ExperimentRegistry.Run>(r => Prepare(r.Experiment));
        Receive<Ready>(Start);
        Receive<Todo>(RunPoints);
        Receive<Failed>(f => Record(Task.FromResult(new ExperimentRegistry.MarkFinished(f.Id, ExperimentStatus.Failed, 0, f.Error))));
        // The next experiment is asked for only once the registry has the end of this one (else it would hand it out again).
        Receive<Recorded>(_ =>
        {
            _cancel?.Dispose();
            _cancel = null;
            _running = null;
            AskNext();
        });
        Receive<ExperimentRegistry.MarkStarted>(_ => { });
        Receive<PointFinished>(p => _registry.Tell(new ExperimentRegistry.Progress(p.Id, p.Done, p.Eta, p.Nodes)));
        Receive<CancelRun>(c =>
        {
            if (c.Id == _running) _cancel?.Cancel();
        });
        Receive<RunEnded>(End);
    }

    protected override void PreStart() => Self.Tell(new Wake());

    /// <summary>A run's ClusterRun that throws is stopped, not restarted (a restart would send every point again).</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Stopped (the registry failed, or the host stops): the run in progress stops too.</summary>
    protected override void PostStop() => _cancel?.Cancel();

    private void AskNext()
    {
        if (_running is not null) return;
        _running = "?"; // asked; the answer is Run or Idle
        _registry.Tell(new ExperimentRegistry.Next());
    }

    /// <summary>Builds the experiment again from what was submitted and reads the points already stored.</summary>
    private void Prepare(ExperimentRecord record)
    {
        _running = record.Id;
        _cancel = new CancellationTokenSource(); // from here on a cancel is heard
        var self = Self;
        Task.Run(async () =>
        {
            try
            {
                var experiment = _catalog.Build(record.Source, record.ShippedName, record.Seed);
                var results = await _registry.Ask<IActorRef>(new ExperimentRegistry.ResultsOf(record.Id), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                var stored = await results.Ask<ExperimentResults.Points>(new ExperimentResults.GetPoints(), TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                return (object)new Ready(record, experiment, results, stored.All.Count);
            }
            catch (Exception e)
            {
                return new Failed(record.Id, e is SubmissionException s ? s.Message : $"could not prepare the run: {e.Message}");
            }
        }).PipeTo(self);
    }

    private void Start(Ready r)
    {
        var record = r.Record;
        if (_cancel is null || _cancel.IsCancellationRequested)
        {
            // Cancelled while being prepared: it never starts.
            Record(Task.FromResult(new ExperimentRegistry.MarkFinished(record.Id, ExperimentStatus.Cancelled, r.Stored, null)));
            return;
        }
        _registry.Tell(new ExperimentRegistry.MarkStarted(record.Id));
        r.Results.Tell(new ExperimentResults.BeginRun()); // never idle while this run may write to it
        // Only the points not stored yet (resuming after a restart).
        r.Results.Ask<ExperimentResults.Points>(new ExperimentResults.GetPoints(), TimeSpan.FromSeconds(60)).ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully)
                return (object)new RunEnded(record.Id, r.Results, 0, false, $"reading the stored points failed: {t.Exception?.GetBaseException().Message}");
            var have = t.Result.All.Select(p => p.Index).ToHashSet();
            return new Todo(r, [.. r.Experiment.Points.Where(p => !have.Contains(p.Index))], have.Count);
        }, TaskScheduler.Default).PipeTo(Self);
        _log.Info("Running {0} ({1}): {2} points, {3} stored already", record.Id, record.Name, r.Experiment.Points.Count, r.Stored);
    }

    private void RunPoints(Todo t)
    {
        var record = t.Ready.Record;
        var results = t.Ready.Results;
        var total = t.Ready.Experiment.Points.Count;
        var token = _cancel?.Token ?? new CancellationToken(canceled: true);
        var self = Self;
        var clock = Stopwatch.StartNew();
        var done = t.Stored;
        var ranNow = 0;
        var nodes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // Called as each point finishes (on whatever thread): store it, and tell the registry the progress.
        Action<StoredPoint, string?> finished = (point, node) =>
        {
            results.Tell(new ExperimentResults.Store(point));
            var n = Interlocked.Increment(ref done);
            var ran = Interlocked.Increment(ref ranNow);
            if (node is not null) nodes.AddOrUpdate(node, 1, (_, c) => c + 1);
            var eta = clock.Elapsed.TotalSeconds / ran * (total - n);
            self.Tell(new PointFinished(record.Id, n, Math.Round(eta, 1),
                node is null ? null : new SortedDictionary<string, int>(nodes, StringComparer.Ordinal)));
        };
        Task<int> run;
        if (_pointRegion is null)
        {
            var todo = t.Ready.Experiment with { Points = t.Pending };
            var system = Context.System;
            var parallelism = _options.Parallelism;
            run = Task.Run(async () => (await ExperimentRunner.RunAsync(todo, system, Dispatcher, parallelism,
                (point, _) => finished(StoredPoints.From(point), null), token).ConfigureAwait(false)).Count);
        }
        else
        {
            // Spread over the cluster's worker nodes (ClusterRun stops when all are answered or the run is cancelled).
            var all = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Action<PointWorker.Done> onPoint = d => finished(d.Point!, d.Node);
            var (region, parallelism, pending) = (_pointRegion, _options.Parallelism, t.Pending);
            Context.ActorOf(Props.Create(() => new ClusterRun(record.Id, record, pending, region, parallelism, onPoint, all, token)), $"run-{record.Id}-{++_runs}");
            run = all.Task;
        }
        var pendingCount = t.Pending.Count;
        // Cancelled only if points are missing and a cancel was asked for; missing points otherwise: failed.
        run.ContinueWith(x => !x.IsCompletedSuccessfully
            ? new RunEnded(record.Id, results, 0, false, x.Exception?.GetBaseException().Message ?? "the run failed")
            : x.Result >= pendingCount ? new RunEnded(record.Id, results, t.Stored + x.Result, false, null)
            : token.IsCancellationRequested ? new RunEnded(record.Id, results, t.Stored + x.Result, true, null)
            : new RunEnded(record.Id, results, t.Stored + x.Result, false, $"the run stopped with {pendingCount - x.Result} points unanswered"),
            TaskScheduler.Default).PipeTo(self);
    }

    private void End(RunEnded e)
    {
        _cancel?.Dispose();
        _cancel = null;
        // Everything stored before the registry hears the end: a finished experiment's results are all in the journal.
        Record(e.Results.Ask<ExperimentResults.Flushed>(new ExperimentResults.Flush(), TimeSpan.FromSeconds(60)).ContinueWith(t =>
        {
            var stored = t.IsCompletedSuccessfully ? t.Result.Points : e.Done;
            var status = e.Error is not null ? ExperimentStatus.Failed : e.Cancelled ? ExperimentStatus.Cancelled : ExperimentStatus.Completed;
            var error = e.Error ?? (t.IsCompletedSuccessfully ? null : $"storing the last points failed: {t.Exception?.GetBaseException().Message}");
            if (error is not null) status = ExperimentStatus.Failed;
            return new ExperimentRegistry.MarkFinished(e.Id, status, stored, error);
        }, TaskScheduler.Default));
    }

    /// <summary>Tells the registry how a run ended, and goes on once it has persisted that.</summary>
    private void Record(Task<ExperimentRegistry.MarkFinished> mark)
    {
        var registry = _registry;
        mark.ContinueWith(t => registry.Ask<ExperimentRegistry.MarkFinished>(t.Result, TimeSpan.FromSeconds(60)), TaskScheduler.Default).Unwrap()
            .ContinueWith(_ => new Recorded(), TaskScheduler.Default).PipeTo(Self);
    }
}

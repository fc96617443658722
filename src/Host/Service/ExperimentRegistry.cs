using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Phyr.Domain.Service;

namespace Phyr.Host.Service;

/// <summary>
/// The service's book of experiments, a persistent actor: every accepted submission and each change of its
/// state is an event in the journal (snapshots every <see cref="SnapshotEvery"/> events), so a restart —
/// even after SIGKILL — finds every accepted experiment again. It answers the API's queries, hands the
/// executor the next experiment to run (those that were running first: they resume), and is the parent of
/// each experiment's <see cref="ExperimentResults"/>. The queue is bounded: a submission beyond
/// <see cref="ServiceOptions.QueueLimit"/> waiting experiments is refused, not lost.
/// </summary>
public sealed class ExperimentRegistry : ReceivePersistentActor
{
    public const string PersistenceIdValue = "phyr-registry";
    public const int SnapshotEvery = 50;

    // Commands from the API.
    public sealed record Submit(string Name, ulong Seed, string Source, bool Shipped, int PointsTotal);
    public sealed record Accepted(string Id);
    public sealed record QueueFull(int Limit);
    public sealed record List;
    public sealed record Get(string Id);
    public sealed record NotFound(string Id);
    public sealed record Cancel(string Id);
    public sealed record CancelRequested(string Id);
    public sealed record AlreadyFinished(string Id, ExperimentStatus Status);

    /// <summary>The results entity of an experiment (its actor), for reading or storing points.</summary>
    public sealed record ResultsOf(string Id);

    /// <summary>The stored points of an experiment: forwarded to its results actor, which answers <see cref="ExperimentResults.Points"/>.</summary>
    public sealed record GetResults(string Id);

    /// <summary>Every experiment (the answer to <see cref="List"/>).</summary>
    public sealed record Views(IReadOnlyList<View> All);

    /// <summary>A results actor with nothing to do for a while: the registry stops it (and makes a new one when next asked).</summary>
    public sealed record ResultsIdle(string Id);

    // The executor's protocol.
    public sealed record Next;
    public sealed record Run(ExperimentRecord Experiment);
    public sealed record Idle;
    public sealed record MarkStarted(string Id);
    /// <summary>Live progress; in a cluster, how many points each node has run in this run.</summary>
    public sealed record Progress(string Id, int PointsDone, double? EtaSeconds, IReadOnlyDictionary<string, int>? Nodes = null);
    public sealed record MarkFinished(string Id, ExperimentStatus Status, int PointsDone, string? Error);

    /// <summary>An experiment as the API shows it: the record and, while it runs, the live progress.</summary>
    public sealed record View(ExperimentRecord Record, int PointsDone, double? EtaSeconds, IReadOnlyDictionary<string, int>? Nodes = null);

    private readonly ServiceOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, (int Done, double? Eta, IReadOnlyDictionary<string, int>? Nodes)> _progress = [];
    private readonly Dictionary<string, IActorRef> _results = [];
    private readonly Dictionary<string, IReadOnlyDictionary<string, int>> _lastNodes = [];
    private long _resultsIncarnation;
    private RegistryState _state = RegistryState.Empty;
    private IActorRef? _executor;

    public override string PersistenceId => PersistenceIdValue;

    public ExperimentRegistry(ServiceOptions options, ExperimentCatalog catalog)
    {
        _options = options;
        Recover<SnapshotOffer>(o => _state = (RegistryState)o.Snapshot);
        Recover<RegistryEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Info("Registry recovered: {0} experiments, {1} to run", _state.Experiments.Count, _state.Runnable.Count());
            // In a cluster the points go to the sharded point region (on every worker node); alone they run here.
            var region = options.Clustered ? Akka.Hosting.ActorRegistry.For(Context.System).Get<PointWorker>() : null;
            if (options.RunExperiments) _executor = Context.ActorOf(Props.Create(() => new ExperimentExecutor(Self, catalog, options, region)), "executor");
        });

        Command<Submit>(s =>
        {
            if (_state.Queued >= options.QueueLimit)
            {
                Sender.Tell(new QueueFull(options.QueueLimit));
                return;
            }
            var record = new ExperimentRecord(_state.NextId, s.Name, s.Seed, s.Source, s.Shipped, s.PointsTotal, DateTimeOffset.UtcNow);
            // Ids come from the state, so the next Submit (handled after this persist) gets the next number.
            PersistAndApply(new RegistryEvent.Accepted(record), () =>
            {
                Sender.Tell(new Accepted(record.Id));
                _executor?.Tell(new ExperimentExecutor.Wake());
            });
        });
        Command<List>(_ => Sender.Tell(new Views([.. _state.Experiments.Values.Select(ViewOf)])));
        Command<Get>(g => Sender.Tell(_state.Find(g.Id) is { } r ? ViewOf(r) : new NotFound(g.Id)));
        Command<Cancel>(c =>
        {
            switch (_state.Find(c.Id))
            {
                case null:
                    Sender.Tell(new NotFound(c.Id));
                    break;
                case { Status: var s } when s.IsFinal():
                    Sender.Tell(new AlreadyFinished(c.Id, s));
                    break;
                case { Status: ExperimentStatus.Queued }:
                    var sender = Sender;
                    // The executor may have been handed it already (it is still queued until it starts): it drops it.
                    _executor?.Tell(new ExperimentExecutor.CancelRun(c.Id));
                    PersistAndApply(new RegistryEvent.Finished(c.Id, ExperimentStatus.Cancelled, DateTimeOffset.UtcNow, 0, null),
                        () => sender.Tell(new CancelRequested(c.Id)));
                    break;
                default:
                    _executor?.Tell(new ExperimentExecutor.CancelRun(c.Id));
                    Sender.Tell(new CancelRequested(c.Id));
                    break;
            }
        });
        Command<ResultsOf>(r => Sender.Tell(Results(r.Id)));
        Command<GetResults>(r =>
        {
            if (_state.Find(r.Id) is null) Sender.Tell(new NotFound(r.Id));
            else Results(r.Id).Forward(new ExperimentResults.GetPoints());
        });
        Command<ResultsIdle>(i =>
        {
            // Only the current one, and only if it is the sender: a stopped actor is never handed out again.
            if (_results.TryGetValue(i.Id, out var actor) && actor.Equals(Sender))
            {
                _results.Remove(i.Id);
                Context.Stop(actor);
            }
        });

        Command<Next>(_ => Sender.Tell(_state.Runnable.FirstOrDefault() is { } r ? new Run(r) : new Idle()));
        Command<MarkStarted>(m =>
        {
            var sender = Sender;
            PersistAndApply(new RegistryEvent.Started(m.Id, DateTimeOffset.UtcNow), () => sender.Tell(m));
        });
        Command<Progress>(p => _progress[p.Id] = (p.PointsDone, p.EtaSeconds, p.Nodes));
        Command<MarkFinished>(m =>
        {
            var sender = Sender;
            // Where the points ran is kept (not persisted) to show after the end.
            if (_progress.Remove(m.Id, out var last) && last.Nodes is not null) _lastNodes[m.Id] = last.Nodes;
            PersistAndApply(new RegistryEvent.Finished(m.Id, m.Status, DateTimeOffset.UtcNow, m.PointsDone, m.Error), () => sender.Tell(m));
        });
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("Registry snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Deleting old registry snapshots failed: {0}", f.Cause.Message));
    }

    private View ViewOf(ExperimentRecord r) => _progress.TryGetValue(r.Id, out var p)
        ? new View(r, p.Done, p.Eta, p.Nodes)
        : new View(r, r.PointsDone, null, _lastNodes.GetValueOrDefault(r.Id));

    private IActorRef Results(string id)
    {
        if (_results.TryGetValue(id, out var actor)) return actor;
        // A new name each time: the previous one may still be stopping. Only one is live, so only one writes.
        actor = Context.ActorOf(Props.Create(() => new ExperimentResults(id)), $"results-{id}-{++_resultsIncarnation}");
        _results[id] = actor;
        return actor;
    }

    private void PersistAndApply(RegistryEvent e, Action then) => Persist(e, persisted =>
    {
        _state = _state.Apply(persisted);
        var r = _state.Find(persisted.Id)!;
        // One log event per change of state.
        _log.Info("Experiment {0} ({1}) {2}: {3}/{4} points{5}", r.Id, r.Name, r.Status.Name(), r.PointsDone, r.PointsTotal,
            r.Error is null ? "" : $" — {r.Error}");
        if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_state);
        then();
    });
}

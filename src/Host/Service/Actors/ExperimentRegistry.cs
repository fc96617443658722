using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Phyr.Domain.Service;

namespace Phyr.Host.Service.Actors;

/// <summary>
/// The service's book of experiments, a persistent actor: every accepted submission and each change of its
/// state is an event in the journal (snapshots every <see cref="SnapshotEvery"/> events), so a restart —
/// even after SIGKILL — finds every accepted experiment again. It answers the API's queries and runs the
/// experiments one at a time, oldest first (one that was running when the service stopped resumes first): it
/// tells the experiment's <see cref="ExperimentEntity"/> to run, and starts the next when the entity reports the
/// end. Alone, the entities are its children; in a cluster they are sharded and it is a singleton. The queue is
/// bounded: a submission beyond <see cref="ServiceOptions.QueueLimit"/> waiting experiments is refused, not lost.
/// </summary>
public sealed class ExperimentRegistry : ReceivePersistentActor, IWithTimers
{
    public const string PersistenceIdValue = "phyr-registry";
    public const int SnapshotEvery = 50;

    // Commands from the API.
    public sealed record Submit(string Name, ulong Seed, string Source, bool Shipped, int PointsTotal);
    public sealed record Accepted(string Id);
    public sealed record QueueFull(int Limit);
    /// <summary>A page of the list: the <paramref name="Limit"/> experiments submitted just before <paramref name="Before"/> (the newest, when null).</summary>
    public sealed record List(int Limit = int.MaxValue, string? Before = null);
    public sealed record Get(string Id);
    public sealed record NotFound(string Id);
    public sealed record Cancel(string Id);
    public sealed record CancelRequested(string Id);
    public sealed record AlreadyFinished(string Id, ExperimentStatus Status);

    /// <summary>The stored points of an experiment: forwarded to its entity, which answers <see cref="ExperimentEntity.Points"/>.</summary>
    public sealed record GetResults(string Id);

    /// <summary>A page of experiments, oldest first (the answer to <see cref="List"/>), and how many there are in all.</summary>
    public sealed record Views(IReadOnlyList<View> All, int Total = 0, bool Older = false);

    /// <summary>A child entity with nothing to do for a while: the registry stops it (and makes a new one when next asked).</summary>
    public sealed record ExperimentIdle(string Id);

    // From the experiment entities.
    /// <summary>Live progress; in a cluster, how many points each node has run in this run, and the node the experiment's entity runs on.</summary>
    public sealed record Progress(string Id, int PointsDone, double? EtaSeconds, IReadOnlyDictionary<string, int>? Nodes = null, string? RunsOn = null);

    /// <summary>A run ended; answered with itself once persisted (the entity tells it again until then).</summary>
    public sealed record MarkFinished(string Id, ExperimentStatus Status, int PointsDone, string? Error, IReadOnlyDictionary<string, int>? Nodes = null);

    /// <summary>An experiment as the API shows it: the record and, while it runs, the live progress.</summary>
    public sealed record View(ExperimentRecord Record, int PointsDone, double? EtaSeconds, IReadOnlyDictionary<string, int>? Nodes = null, string? RunsOn = null);

    private sealed record RunTick;

    private readonly ServiceOptions _options;
    private readonly ExperimentCatalog _catalog;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, (int Done, double? Eta, IReadOnlyDictionary<string, int>? Nodes, string? RunsOn)> _progress = [];
    private readonly Dictionary<string, IActorRef> _children = [];
    private long _incarnation;
    private RegistryState _state = RegistryState.Empty;
    private IActorRef? _entityRegion;
    private string? _running;

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => PersistenceIdValue;

    public ExperimentRegistry(ServiceOptions options, ExperimentCatalog catalog)
    {
        _options = options;
        _catalog = catalog;
        Recover<SnapshotOffer>(o => _state = (RegistryState)o.Snapshot);
        Recover<RegistryEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Info("Registry recovered: {0} experiments, {1} to run", _state.Experiments.Count, _state.Runnable.Count());
            // In a cluster the experiments are entities of the sharded region (on every worker node).
            if (options.Clustered) _entityRegion = Akka.Hosting.ActorRegistry.For(Context.System).Get<ExperimentEntity>();
            RunNext();
            Forget();
        });

        Command<Submit>(s =>
        {
            if (_state.Queued >= options.QueueLimit)
            {
                Sender.Tell(new QueueFull(options.QueueLimit));
                return;
            }
            var record = new ExperimentRecord(_state.NextId, s.Name, s.Seed, s.Source, s.Shipped, s.PointsTotal, DateTimeOffset.UtcNow);
            var sender = Sender;
            // Ids come from the state, so the next Submit (handled after this persist) gets the next number.
            PersistAndApply(new RegistryEvent.Accepted(record), () =>
            {
                sender.Tell(new Accepted(record.Id));
                RunNext();
            });
        });
        Command<List>(l =>
        {
            var page = _state.Page(Math.Max(1, l.Limit), l.Before);
            var older = page.Count > 0 && _state.Experiments.Keys.Any(k => string.CompareOrdinal(k, page[0].Id) < 0);
            Sender.Tell(new Views([.. page.Select(ViewOf)], _state.Experiments.Count, older));
        });
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
                    // Never told to run (a run starts with Started persisted, and this is handled after it): it just ends.
                    var sender = Sender;
                    PersistAndApply(new RegistryEvent.Finished(c.Id, ExperimentStatus.Cancelled, DateTimeOffset.UtcNow, 0, null), () =>
                    {
                        sender.Tell(new CancelRequested(c.Id));
                        Forget();
                    });
                    break;
                case { Cancelling: true }:
                    Entity(c.Id).Tell(new ExperimentEntity.CancelRun(c.Id));
                    Sender.Tell(new CancelRequested(c.Id));
                    break;
                default:
                    // Running: its entity stops the run, keeps what it stored and reports the end. The cancel is persisted
                    // and follows every request to run it, so a restart or a move of either side cannot lose it.
                    var asker = Sender;
                    PersistAndApply(new RegistryEvent.Cancelling(c.Id, DateTimeOffset.UtcNow), () =>
                    {
                        Entity(c.Id).Tell(new ExperimentEntity.CancelRun(c.Id));
                        asker.Tell(new CancelRequested(c.Id));
                    });
                    break;
            }
        });
        Command<GetResults>(r =>
        {
            if (_state.Find(r.Id) is null) Sender.Tell(new NotFound(r.Id));
            else Entity(r.Id).Forward(new ExperimentEntity.GetPoints(r.Id));
        });
        Command<ExperimentIdle>(i =>
        {
            // Only the current one, and only if it is the sender: a stopped actor is never handed out again.
            if (_children.TryGetValue(i.Id, out var actor) && actor.Equals(Sender))
            {
                _children.Remove(i.Id);
                Context.Stop(actor);
            }
        });
        // A child that stopped (idle, or its journal failed): the next message makes a new one, which recovers.
        Command<Terminated>(t =>
        {
            foreach (var (id, actor) in _children.Where(c => c.Value.Equals(t.ActorRef)).ToList()) _children.Remove(id);
        });

        Command<Progress>(p =>
        {
            if (_state.Find(p.Id) is { Status: ExperimentStatus.Running }) _progress[p.Id] = (p.PointsDone, p.EtaSeconds, p.Nodes, p.RunsOn);
        });
        Command<MarkFinished>(m =>
        {
            var sender = Sender;
            void Then()
            {
                sender.Tell(m);
                if (_running != m.Id) return;
                _running = null;
                Timers.Cancel("run");
                RunNext();
                Forget();
            }
            _progress.Remove(m.Id);
            if (_state.Find(m.Id) is not { Status: var status } || status.IsFinal()) Then(); // told again: it has it already
            else PersistAndApply(new RegistryEvent.Finished(m.Id, m.Status, DateTimeOffset.UtcNow, m.PointsDone, m.Error, m.Nodes), Then);
        });
        // The request to run is sent again while the run lasts: one sent while the entity was moving between nodes is lost.
        Command<RunTick>(_ =>
        {
            if (_running is { } id && _state.Find(id) is { Status: ExperimentStatus.Running } r) AskToRun(r);
        });
        // A snapshot holds everything before it: the older snapshots and the events up to it go, so the journal stays the size
        // of what the registry keeps (the summaries, the queued experiments' texts), not of everything ever submitted.
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
            DeleteMessages(s.Metadata.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Deleting the registry's events before its snapshot failed: {0}", f.Cause.Message));
        Command<SaveSnapshotFailure>(f => _log.Warning("Registry snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Deleting old registry snapshots failed: {0}", f.Cause.Message));
    }

    /// <summary>Starts the oldest runnable experiment if none runs (each start is an event: a resumed one counts twice).</summary>
    private void RunNext()
    {
        if (!_options.RunExperiments || _running is not null || _state.Runnable.FirstOrDefault() is not { } next) return;
        _running = next.Id;
        PersistAndApply(new RegistryEvent.Started(next.Id, DateTimeOffset.UtcNow), () =>
        {
            AskToRun(_state.Find(next.Id)!);
            Timers.StartPeriodicTimer("run", new RunTick(), ExperimentEntity.ReportEvery);
        });
    }

    /// <summary>
    /// Lets go of the ended experiments beyond the retention (Retention:Keep, Retention:Days): each forgotten is an event,
    /// its entity deletes its journal, and its files under the data directory are removed.
    /// </summary>
    private void Forget()
    {
        var maxAge = _options.RetentionDays > 0 ? TimeSpan.FromDays(_options.RetentionDays) : (TimeSpan?)null;
        foreach (var id in _state.ToForget(_options.RetentionKeep, maxAge, DateTimeOffset.UtcNow).ToList())
        {
            PersistAndApply(new RegistryEvent.Forgotten(id, DateTimeOffset.UtcNow), () =>
            {
                Entity(id).Tell(new ExperimentEntity.Forget(id));
                var files = Path.Combine(_options.DataDir, "experiments", id);
                try
                {
                    if (Directory.Exists(files)) Directory.Delete(files, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _log.Warning("Forgetting {0}: its files stay: {1}", id, e.Message);
                }
            });
        }
    }

    /// <summary>Tells the entity to run the experiment — and, if a cancel was asked for, to cancel it (in that order).</summary>
    private void AskToRun(ExperimentRecord r)
    {
        var entity = Entity(r.Id);
        entity.Tell(new ExperimentEntity.RunExperiment(r.Id, r));
        if (r.Cancelling) entity.Tell(new ExperimentEntity.CancelRun(r.Id));
    }

    private View ViewOf(ExperimentRecord r) => _progress.TryGetValue(r.Id, out var p)
        ? new View(r, p.Done, p.Eta, p.Nodes, p.RunsOn)
        : new View(r, r.PointsDone, null, r.Nodes);

    /// <summary>The experiment's entity: the shard region in a cluster, else a child (made when first needed).</summary>
    private IActorRef Entity(string id)
    {
        if (_entityRegion is not null) return _entityRegion;
        if (_children.TryGetValue(id, out var actor)) return actor;
        // A new name each time: the previous one may still be stopping. Only one is live, so only one writes.
        var (catalog, options) = (_catalog, _options);
        actor = Context.Watch(Context.ActorOf(Props.Create(() => new ExperimentEntity(id, catalog, options, null, null, false)), $"experiment-{id}-{++_incarnation}"));
        _children[id] = actor;
        return actor;
    }

    private void PersistAndApply(RegistryEvent e, Action then) => Persist(e, persisted =>
    {
        _state = _state.Apply(persisted);
        // One log event per change of state.
        if (_state.Find(persisted.Id) is { } r)
            _log.Info("Experiment {0} ({1}) {2}: {3}/{4} points{5}", r.Id, r.Name, r.Status.Name(), r.PointsDone, r.PointsTotal,
                r.Error is null ? "" : $" — {r.Error}");
        else _log.Info("Experiment {0} forgotten (retention)", persisted.Id);
        if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_state);
        then();
    });
}

using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Phyr.Actors.Experiments;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Service;

namespace Phyr.Host.Service.Actors;

/// <summary>
/// One point of an experiment as a cluster-sharded entity (entity id "EXPERIMENT-INDEX", region "point" on the
/// worker nodes, remember-entities on): on its first <see cref="Run"/> it persists the assignment (the point and
/// who asked), builds the experiment from what was submitted (the same on every node), runs its point on this
/// node's simulation dispatcher — at most <see cref="ServiceOptions.Parallelism"/> points at once per node — and
/// answers the result to everyone who asked; then it deletes its events and passivates (and so is forgotten). If
/// its node dies first, sharding starts it again on another node (remember-entities), it recovers the assignment
/// and runs it there, answering the asker it recorded. The experiment's run also sends unanswered points again, which
/// reaches the same entity. Results are deterministic: where a point runs never changes its numbers.
/// </summary>
public sealed class PointWorker : ReceivePersistentActor
{
    public const string Region = "point";

    /// <summary>Run point <paramref name="Index"/> of the experiment submitted as <paramref name="Source"/>.</summary>
    public sealed record Run(string ExperimentId, int Index, string Source, bool Shipped, ulong Seed);

    /// <summary>The point's result (or why it could not run: <paramref name="Error"/>), and the node that ran it.</summary>
    public sealed record Done(string ExperimentId, int Index, StoredPoint? Point, string Node, string? Error = null);

    /// <summary>What the entity persists: the point it was given and the path of the actor that asked.</summary>
    public sealed record Assigned(Run Run, string AskedBy);

    private sealed record Finished(int Index, StoredPoint? Point, string? Error);

    public sealed class Extractor() : HashCodeMessageExtractor(100)
    {
        public override string EntityId(object message) => message is Run r ? $"{r.ExperimentId}-{r.Index}" : "";
    }

    private static readonly ConditionalWeakTable<ActorSystem, SemaphoreSlim> Slots = new();

    private readonly ExperimentCatalog _catalog;
    private readonly ServiceOptions _options;
    private readonly string _node;
    private readonly HashSet<IActorRef> _askers = [];
    private readonly List<ActorSelection> _recordedAskers = [];
    private Run? _run;
    private Done? _done;
    private bool _running;

    public override string PersistenceId { get; }

    public PointWorker(string entityId, ExperimentCatalog catalog, ServiceOptions options)
    {
        PersistenceId = $"point-{entityId}";
        _catalog = catalog;
        _options = options;
        _node = Cluster.Get(Context.System).SelfAddress.ToString();
        Recover<Assigned>(a =>
        {
            _run = a.Run;
            _recordedAskers.Add(Context.ActorSelection(a.AskedBy));
        });
        Recover<RecoveryCompleted>(_ =>
        {
            // Started again by remember-entities after its node went away: run what it was given.
            if (_run is not null) Start(_run);
        });
        Command<Run>(r =>
        {
            if (_done is not null)
            {
                Sender.Tell(_done);
                return;
            }
            _askers.Add(Sender);
            if (_run is not null)
            {
                if (!_running) Start(_run);
                return;
            }
            _run = r;
            Persist(new Assigned(r, Sender.Path.ToString()), a => Start(a.Run));
        });
        Command<Finished>(f =>
        {
            _running = false;
            // A point that cannot run is answered too (with the error): the run must hear of it, not wait for ever.
            if (f.Point is null) Context.GetLogger().Warning("point {0} of {1} failed: {2}", f.Index, _run?.ExperimentId, f.Error);
            _done = new Done(_run!.ExperimentId, f.Index, f.Point, _node, f.Error);
            foreach (var asker in _askers) asker.Tell(_done);
            foreach (var asker in _recordedAskers) asker.Tell(_done);
            _askers.Clear();
            _recordedAskers.Clear();
            // Answered: nothing to remember any more.
            DeleteMessages(LastSequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance)));
        Command<DeleteMessagesFailure>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance)));
    }

    private void Start(Run r)
    {
        if (_running) return;
        _running = true;
        var (system, catalog) = (Context.System, _catalog);
        var slots = Slots.GetValue(system, _ => new SemaphoreSlim(_options.Parallelism));
        Task.Run(async () =>
        {
            await slots.WaitAsync().ConfigureAwait(false);
            try
            {
                var experiment = catalog.BuildCached(r.Source, r.Shipped, r.Seed);
                var point = experiment.Points[r.Index];
                var result = await ScenarioRunner.RunAsync(point.Scenario, point.Seed, system, ExperimentEntity.Dispatcher, 1).ConfigureAwait(false);
                return new Finished(r.Index, StoredPoints.From(new PointResult(point, result)), null);
            }
            catch (Exception e)
            {
                return new Finished(r.Index, null, e is SubmissionException s ? s.Message : e.Message);
            }
            finally
            {
                slots.Release();
            }
        }).PipeTo(Self);
    }
}

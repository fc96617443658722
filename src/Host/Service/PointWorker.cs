using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Phyr.Actors.Experiments;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Service;

namespace Phyr.Host.Service;

/// <summary>
/// One point of an experiment as a cluster-sharded entity (entity id "EXPERIMENT-INDEX", region "point" on the
/// worker nodes): it builds the experiment from what was submitted (the same on every node), runs its point on
/// this node's simulation dispatcher — at most <see cref="ServiceOptions.Parallelism"/> points at once per node —
/// and answers the point's result, then passivates. Asked again (the executor re-sends what a departed node did
/// not answer), it runs again or repeats its answer: results are deterministic, so where a point runs never
/// changes its numbers.
/// </summary>
public sealed class PointWorker : ReceiveActor
{
    public const string Region = "point";

    /// <summary>Run point <paramref name="Index"/> of the experiment submitted as <paramref name="Source"/>.</summary>
    public sealed record Run(string ExperimentId, int Index, string Source, bool Shipped, ulong Seed);

    /// <summary>The point's result (or why it could not run: <paramref name="Error"/>), and the node that ran it.</summary>
    public sealed record Done(string ExperimentId, int Index, StoredPoint? Point, string Node, string? Error = null);

    private sealed record Finished(int Index, StoredPoint? Point, string? Error);

    public sealed class Extractor() : HashCodeMessageExtractor(100)
    {
        public override string EntityId(object message) => message is Run r ? $"{r.ExperimentId}-{r.Index}" : "";
    }

    private static readonly ConditionalWeakTable<ActorSystem, SemaphoreSlim> Slots = new();

    private readonly HashSet<IActorRef> _askers = [];
    private string _experimentId = "";
    private Done? _done;
    private bool _running;

    public PointWorker(ExperimentCatalog catalog, ServiceOptions options)
    {
        var node = Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<Run>(r =>
        {
            if (_done is not null)
            {
                Sender.Tell(_done);
                return;
            }
            _askers.Add(Sender);
            _experimentId = r.ExperimentId;
            if (_running) return;
            _running = true;
            var system = Context.System;
            var slots = Slots.GetValue(system, _ => new SemaphoreSlim(options.Parallelism));
            Task.Run(async () =>
            {
                await slots.WaitAsync().ConfigureAwait(false);
                try
                {
                    var experiment = catalog.BuildCached(r.Source, r.Shipped, r.Seed);
                    var point = experiment.Points[r.Index];
                    var result = await ScenarioRunner.RunAsync(point.Scenario, point.Seed, system, ExperimentExecutor.Dispatcher, 1).ConfigureAwait(false);
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
        });
        Receive<Finished>(f =>
        {
            _running = false;
            // A point that cannot run is answered too (with the error): the run must hear of it, not wait for ever.
            if (f.Point is null) Context.GetLogger().Warning("point {0} of {1} failed: {2}", f.Index, _experimentId, f.Error);
            _done = new Done(_experimentId, f.Index, f.Point, node, f.Error);
            foreach (var asker in _askers) asker.Tell(_done);
            _askers.Clear();
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
    }
}

using Akka.Actor;
using Phyr.Domain.Simulation;

namespace Phyr.Actors.Engine;

/// <summary>
/// One simulation run: add components, inject the first events, run on an actor system (or
/// sequentially, for reference). Components are spread over <see cref="SimulationOptions.Partitions"/>
/// partition actors round-robin by id; the result does not depend on how.
/// </summary>
public sealed class Simulation(SimulationOptions options)
{
    /// <summary>The sender id of injected events.</summary>
    public const int Environment = -1;

    private readonly List<SimComponent> _components = [];
    private readonly List<SimEvent> _initial = [];
    private long _environmentSeq;
    private bool _started;

    public SimulationOptions Options { get; } = options;
    public IReadOnlyList<SimComponent> Components => _components;

    public T Add<T>(T component) where T : SimComponent
    {
        if (_started) throw new InvalidOperationException("components cannot be added once the run started");
        if (component.Id >= 0) throw new InvalidOperationException($"{component.Name} is already part of a simulation");
        component.Id = _components.Count;
        component.RunSeed = Options.Seed;
        _components.Add(component);
        return component;
    }

    /// <summary>Delivers <paramref name="message"/> to <paramref name="target"/> at virtual time <paramref name="at"/>.</summary>
    public void Inject(SimComponent target, object message, long at = 0)
    {
        if (_started) throw new InvalidOperationException("events cannot be injected once the run started");
        if (target.Id < 0 || target.Id >= _components.Count || _components[target.Id] != target)
            throw new ArgumentException($"{target.Name} is not part of this simulation");
        if (at < 0) throw new ArgumentOutOfRangeException(nameof(at), at, "injection time cannot be negative");
        _initial.Add(new SimEvent(new EventKey(at, Environment, _environmentSeq++), target.Id, message));
    }

    /// <summary>Runs on <paramref name="system"/>, partition actors on <paramref name="dispatcher"/> (default dispatcher if null).</summary>
    public async Task<SimulationResult> RunAsync(ActorSystem system, string? dispatcher = null, CancellationToken cancel = default)
    {
        var partitions = Prepare();
        var completion = new TaskCompletionSource<PartitionActor.RunStats>(TaskCreationOptions.RunContinuationsAsynchronously);
        var refs = new IActorRef[partitions.Length];
        var runId = Guid.NewGuid().ToString("N")[..8];
        var next = partitions.Select(p => p.NextTime).ToArray();
        for (var p = 0; p < partitions.Length; p++)
        {
            var partition = partitions[p];
            // By type and arguments, not an expression: Props.Create(() => ...) compiles each argument into a dynamic method,
            // a few per partition per run, whose finalisation was a tenth of a long experiment's host time (dotnet-trace).
            var props = Props.Create(typeof(PartitionActor), partition, refs, (long[])next.Clone(), Options.EndTime, completion);
            refs[p] = system.ActorOf(dispatcher is null ? props : props.WithDispatcher(dispatcher), $"sim-{runId}-p{p}");
        }
        // Every ref is in the shared array before any partition starts (Tell publishes it).
        foreach (var r in refs) r.Tell(PartitionActor.Start.Instance);

        PartitionActor.RunStats stats;
        try
        {
            await using var registration = cancel.Register(() => completion.TrySetCanceled(cancel));
            stats = await completion.Task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SimulationFailedException($"the simulation failed: {e.Message}", e);
        }
        finally
        {
            foreach (var r in refs) system.Stop(r);
        }
        return Collect(partitions, stats.Rounds, stats.Rounds * partitions.Length * (partitions.Length - 1));
    }

    public SimulationResult Run(ActorSystem system, string? dispatcher = null) => RunAsync(system, dispatcher).GetAwaiter().GetResult();

    /// <summary>Runs in the calling thread with one partition and no actors: the reference the actor runs must equal.</summary>
    public SimulationResult RunSequential()
    {
        var partitions = Prepare(forcePartitions: 1);
        try
        {
            partitions[0].RunUntil(Options.EndTime);
        }
        catch (Exception e)
        {
            throw new SimulationFailedException($"the simulation failed: {e.Message}", e);
        }
        return Collect(partitions, rounds: 1, messages: 0);
    }

    private Partition[] Prepare(int? forcePartitions = null)
    {
        if (_started) throw new InvalidOperationException("a simulation runs once");
        Options.Validate();
        _started = true;
        var count = Math.Max(1, Math.Min(forcePartitions ?? Options.Partitions, Math.Max(1, _components.Count)));
        var all = _components.ToArray();
        var partitionOf = new int[all.Length];
        for (var i = 0; i < all.Length; i++) partitionOf[i] = i % count;
        var partitions = new Partition[count];
        for (var p = 0; p < count; p++) partitions[p] = new Partition(p, count, Options.Lookahead, all, partitionOf);
        foreach (var e in _initial) partitions[partitionOf[e.Target]].Accept(e);
        return partitions;
    }

    private SimulationResult Collect(Partition[] partitions, long rounds, long messages)
    {
        var digest = EventDigest.Seed;
        long endTime = 0, events = 0;
        foreach (var c in _components)
        {
            digest = EventDigest.Fold(digest, c.Digest);
            if (c.Handled > 0) endTime = Math.Max(endTime, c.Clock);
            events += c.Handled;
        }
        var resources = _components.SelectMany(c => c.ResourceMetrics()).ToList();
        var across = partitions.Sum(p => p.SentAcross);
        return new SimulationResult(endTime, events, digest, resources,
            new ExecutionStats(partitions.Length, rounds, across, messages));
    }
}

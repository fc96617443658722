using System.Collections.Immutable;

namespace Phyr.Domain.Service;

/// <summary>What an experiment's entity does when told to run, or once it has recovered from its journal.</summary>
public enum RunDecision
{
    /// <summary>Nothing was ever asked of it (recovered): wait to be told.</summary>
    Wait,

    /// <summary>A first request: persist it, then run.</summary>
    Request,

    /// <summary>Asked before and not ended (a request sent again, or started again after a crash or a move): run what is missing.</summary>
    Resume,

    /// <summary>Running already in this incarnation: the request is one sent again; ignore it.</summary>
    Ignore,

    /// <summary>Ended: tell the registry how, again.</summary>
    TellEnd,
}

/// <summary>This incarnation's run: the points it set out to run, those answered so far, and those not yet persisted.</summary>
public sealed record RunProgress
{
    public int ToRun { get; init; }
    public int RanNow { get; init; }
    public ImmutableList<StoredPoint> Pending { get; init; } = [];
}

/// <summary>
/// An experiment's lifecycle as its entity keeps it: what it persisted — the request (what was submitted, so it can
/// resume by itself anywhere), the points stored, how the run ended — rebuilt by <see cref="Apply"/> from the
/// same events on recovery as when they are persisted; and the run this incarnation has going (<see cref="Running"/>,
/// not persisted). Immutable: <see cref="Decide"/> and the transitions below are pure, so the lifecycle is tested
/// without an actor system; the persistent entity (Phyr.Host.Service.Actors.ExperimentEntity) only receives,
/// persists and tells.
/// </summary>
public sealed record ExperimentLifecycle
{
    /// <summary>Points persisted in one event (the journal is slow per event).</summary>
    public const int BatchSize = 32;

    public static readonly ExperimentLifecycle Empty = new();

    public ExperimentRecord? Requested { get; init; }
    public RunEvent.Ended? Ended { get; init; }

    /// <summary>Every point stored, or answered and waiting to be, by index: the first of an index stands.</summary>
    public ImmutableSortedDictionary<int, StoredPoint> Points { get; init; } = ImmutableSortedDictionary<int, StoredPoint>.Empty;

    /// <summary>In a cluster, the points per node that ran them, over every run of this experiment.</summary>
    public ImmutableSortedDictionary<string, int> Nodes { get; init; } = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);

    public RunProgress? Running { get; init; }

    /// <summary>A persisted (or replayed) event: the request, a batch of points, the end.</summary>
    public ExperimentLifecycle Apply(object e) => e switch
    {
        RunEvent.Requested r => this with { Requested = r.Experiment },
        RunEvent.Ended x => this with { Ended = x, Running = null },
        PointsStored p => p.Points.Aggregate(this, (s, point) => s.Add(point).State),
        _ => throw new ArgumentException($"an experiment's entity has no event {e.GetType().Name}", nameof(e)),
    };

    /// <summary>What to do when told to run (<paramref name="recovered"/>: on recovery, when nobody told it anything yet).</summary>
    public RunDecision Decide(bool recovered = false) =>
        Ended is not null ? RunDecision.TellEnd
        : Running is not null ? RunDecision.Ignore
        : Requested is not null ? RunDecision.Resume
        : recovered ? RunDecision.Wait : RunDecision.Request;

    /// <summary>A run begins (the experiment is being built again from what was submitted).</summary>
    public ExperimentLifecycle Begin() => this with { Running = new RunProgress() };

    /// <summary>The experiment is built: <paramref name="toRun"/> of its points are not stored yet.</summary>
    public ExperimentLifecycle Started(int toRun) => this with { Running = new RunProgress { ToRun = toRun } };

    /// <summary>A point came back: kept unless its index is stored already (it ran twice: resent, or after a restart), and queued to be persisted.</summary>
    public (ExperimentLifecycle State, bool Kept) Answered(StoredPoint point)
    {
        if (Running is not { } run) throw new InvalidOperationException("a point answered with no run going");
        var (added, kept) = Add(point);
        return kept ? (added with { Running = run with { RanNow = run.RanNow + 1, Pending = run.Pending.Add(point) } }, true) : (this, false);
    }

    /// <summary>Whether the points waiting make a batch to persist now.</summary>
    public bool BatchFull => Running is { Pending.Count: >= BatchSize };

    /// <summary>The points waiting to be persisted, taken off (none: null).</summary>
    public (ExperimentLifecycle State, PointsStored? Batch) TakePending() => Running is { Pending.IsEmpty: false } run
        ? (this with { Running = run with { Pending = [] } }, new PointsStored([.. run.Pending]))
        : (this, null);

    /// <summary>How a run ends: with every point it set out to run, cancelled with some missing, or failed.</summary>
    public RunEvent.Ended Outcome(int answered, bool cancelled, string? error)
    {
        var toRun = Running?.ToRun ?? throw new InvalidOperationException("a run ended with no run going");
        if (error is not null) return End(ExperimentStatus.Failed, error);
        if (answered >= toRun) return End(ExperimentStatus.Completed, null);
        return cancelled ? End(ExperimentStatus.Cancelled, null) : End(ExperimentStatus.Failed, $"the run stopped with {toRun - answered} points unanswered");
    }

    /// <summary>The end event with the points stored by then.</summary>
    public RunEvent.Ended End(ExperimentStatus status, string? error) => new(status, Points.Count, error);

    private (ExperimentLifecycle State, bool Added) Add(StoredPoint p)
    {
        if (Points.ContainsKey(p.Index)) return (this, false);
        var nodes = p.Node is { } node ? Nodes.SetItem(node, Nodes.GetValueOrDefault(node) + 1) : Nodes;
        return (this with { Points = Points.Add(p.Index, p), Nodes = nodes }, true);
    }
}

using Phyr.Domain.Service;

namespace Phyr.Domain.Tests.Service;

/// <summary>An experiment entity's lifecycle as a pure state record: decide, apply, answered points, batches, outcome.</summary>
public class ExperimentLifecycleTests
{
    private static readonly ExperimentRecord Record = new("e000001", "sweep", 1, "x", true, 40, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private static StoredPoint Point(int index, string? node = null) => new(index, 7, [new StoredMetric("m", index)], [], node);

    [Fact]
    public void Told_to_run_it_requests_once_ignores_requests_sent_again_resumes_when_started_again_and_tells_an_end()
    {
        var fresh = ExperimentLifecycle.Empty;
        Assert.Equal(RunDecision.Request, fresh.Decide());
        Assert.Equal(RunDecision.Wait, fresh.Decide(recovered: true));
        var requested = fresh.Apply(new RunEvent.Requested(Record));
        Assert.Equal(RunDecision.Resume, requested.Decide());
        Assert.Equal(RunDecision.Resume, requested.Decide(recovered: true));
        Assert.Equal(RunDecision.Ignore, requested.Begin().Decide());
        var ended = requested.Begin().Apply(new RunEvent.Ended(ExperimentStatus.Completed, 40, null));
        Assert.Null(ended.Running);
        Assert.Equal(RunDecision.TellEnd, ended.Decide());
        Assert.Equal(RunDecision.TellEnd, ended.Decide(recovered: true));
    }

    [Fact]
    public void Answered_points_count_once_per_index_per_node_and_batch_up_to_be_persisted()
    {
        var s = ExperimentLifecycle.Empty.Apply(new RunEvent.Requested(Record)).Begin().Started(toRun: 40);
        for (var i = 0; i < ExperimentLifecycle.BatchSize - 1; i++) (s, _) = s.Answered(Point(i, i % 2 == 0 ? "a" : "b"));
        Assert.False(s.BatchFull);
        var (again, kept) = s.Answered(Point(3, "a")); // ran twice: the stored one stands
        Assert.False(kept);
        Assert.Same(s, again);
        (s, _) = s.Answered(Point(31, "b"));
        Assert.True(s.BatchFull);
        Assert.Equal((16, 16), (s.Nodes["a"], s.Nodes["b"]));
        var (taken, batch) = s.TakePending();
        Assert.Equal(ExperimentLifecycle.BatchSize, batch!.Points.Count);
        Assert.Empty(taken.Running!.Pending);
        Assert.Equal(32, taken.Running.RanNow);
        Assert.Null(taken.TakePending().Batch);
    }

    [Fact]
    public void Recovery_from_the_events_gives_the_state_the_live_run_had()
    {
        var live = ExperimentLifecycle.Empty.Apply(new RunEvent.Requested(Record)).Begin().Started(3);
        (live, _) = live.Answered(Point(0, "a"));
        (live, _) = live.Answered(Point(2, "b"));
        var (_, batch) = live.TakePending();
        var recovered = ExperimentLifecycle.Empty.Apply(new RunEvent.Requested(Record)).Apply(batch!);
        Assert.Equal(live.Points, recovered.Points);
        Assert.Equal(live.Nodes, recovered.Nodes);
        Assert.Equal(RunDecision.Resume, recovered.Decide(recovered: true));
    }

    [Theory]
    [InlineData(40, false, null, ExperimentStatus.Completed, null)]
    [InlineData(30, true, null, ExperimentStatus.Cancelled, null)]
    [InlineData(30, false, null, ExperimentStatus.Failed, "the run stopped with 10 points unanswered")]
    [InlineData(40, false, "the journal failed", ExperimentStatus.Failed, "the journal failed")]
    public void A_run_ends_completed_cancelled_only_with_points_missing_or_failed(int answered, bool cancelled, string? error, ExperimentStatus status,
        string? expected)
    {
        var s = ExperimentLifecycle.Empty.Apply(new RunEvent.Requested(Record)).Begin().Started(40);
        (s, _) = s.Answered(Point(0));
        Assert.Equal(new RunEvent.Ended(status, 1, expected), s.Outcome(answered, cancelled, error));
    }
}

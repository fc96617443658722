using Phyr.Domain.Service;

namespace Phyr.Domain.Tests.Service;

public class RegistryStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static RegistryState Accept(RegistryState s, string name) =>
        s.Apply(new RegistryEvent.Accepted(new ExperimentRecord(s.NextId, name, 1, "x", true, 6, T0)));

    [Fact]
    public void Ids_follow_submission_order_and_survive_replay()
    {
        var s = Accept(Accept(Accept(RegistryState.Empty, "a"), "b"), "c");
        Assert.Equal(["e000001", "e000002", "e000003"], s.Experiments.Keys);
        Assert.Equal("e000004", s.NextId);
        Assert.Equal(3, s.Queued);
    }

    [Fact]
    public void Lifecycle_events_move_an_experiment_and_running_ones_are_resumed_first()
    {
        var s = Accept(Accept(RegistryState.Empty, "a"), "b");
        s = s.Apply(new RegistryEvent.Started("e000002", T0.AddSeconds(1)));
        Assert.Equal(["e000002", "e000001"], s.Runnable.Select(r => r.Id));   // the running one first: it resumes
        s = s.Apply(new RegistryEvent.Started("e000002", T0.AddSeconds(5)));   // started again after a restart
        Assert.Equal(2, s.Find("e000002")!.Starts);
        s = s.Apply(new RegistryEvent.Finished("e000002", ExperimentStatus.Completed, T0.AddSeconds(9), 6, null));
        s = s.Apply(new RegistryEvent.Finished("e000001", ExperimentStatus.Cancelled, T0.AddSeconds(9), 0, null));
        Assert.Empty(s.Runnable);
        Assert.Equal((ExperimentStatus.Completed, 6), (s.Find("e000002")!.Status, s.Find("e000002")!.PointsDone));
        Assert.True(s.Find("e000001")!.Status.IsFinal());
        Assert.Equal(0, s.Queued);
    }

    [Fact]
    public void Events_for_an_unknown_id_change_nothing()
    {
        var s = Accept(RegistryState.Empty, "a");
        Assert.Same(s.Experiments, s.Apply(new RegistryEvent.Started("e000042", T0)).Experiments);
    }

    [Fact]
    public void A_final_record_ignores_a_late_start_or_end()
    {
        // Cancelled while it was queued: a late start and end change nothing.
        var s = Accept(RegistryState.Empty, "a").Apply(new RegistryEvent.Finished("e000001", ExperimentStatus.Cancelled, T0, 0, null));
        s = s.Apply(new RegistryEvent.Started("e000001", T0.AddSeconds(1)))
             .Apply(new RegistryEvent.Finished("e000001", ExperimentStatus.Completed, T0.AddSeconds(2), 6, null));
        Assert.Equal((ExperimentStatus.Cancelled, 0, 0), (s.Find("e000001")!.Status, s.Find("e000001")!.PointsDone, s.Find("e000001")!.Starts));
    }

    [Fact]
    public void A_cancel_asked_while_running_is_kept_until_the_end_and_the_end_keeps_where_points_ran()
    {
        var s = Accept(RegistryState.Empty, "a").Apply(new RegistryEvent.Started("e000001", T0))
            .Apply(new RegistryEvent.Cancelling("e000001", T0.AddSeconds(1)));
        Assert.True(s.Find("e000001")!.Cancelling);
        Assert.Equal(ExperimentStatus.Running, s.Find("e000001")!.Status);
        var nodes = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["akka.tcp://phyr-service@a:1"] = 4, ["akka.tcp://phyr-service@b:2"] = 2 };
        s = s.Apply(new RegistryEvent.Finished("e000001", ExperimentStatus.Cancelled, T0.AddSeconds(2), 6, null, nodes));
        var r = s.Find("e000001")!;
        Assert.Equal((ExperimentStatus.Cancelled, false, 6), (r.Status, r.Cancelling, r.PointsDone));
        Assert.Equal(nodes, r.Nodes);
        // A cancel after the end changes nothing.
        Assert.False(s.Apply(new RegistryEvent.Cancelling("e000001", T0.AddSeconds(3))).Find("e000001")!.Cancelling);
    }

    private static RegistryState Submit(RegistryState s, string text) =>
        s.Apply(new RegistryEvent.Accepted(new ExperimentRecord(s.NextId, "t", 1, text, false, 2, T0)));

    [Fact]
    public void An_ended_experiment_keeps_its_summary_not_its_text()
    {
        var text = new string('#', 250_000);
        var s = Submit(Submit(RegistryState.Empty, text), text);
        Assert.True(s.Find("e000001")!.HasSource);
        s = s.Apply(new RegistryEvent.Started("e000001", T0)).Apply(new RegistryEvent.Finished("e000001", ExperimentStatus.Completed, T0, 2, null));
        s = s.Apply(new RegistryEvent.Finished("e000002", ExperimentStatus.Cancelled, T0, 0, null));
        foreach (var r in s.Experiments.Values)
        {
            Assert.False(r.HasSource);
            Assert.Equal(250_000, r.SourceBytes);
        }
        // A shipped experiment's name is its source: it stays.
        var shipped = Accept(RegistryState.Empty, "a").Apply(new RegistryEvent.Finished("e000001", ExperimentStatus.Cancelled, T0, 0, null));
        Assert.Equal("x", shipped.Find("e000001")!.Source);
    }

    [Fact]
    public void Retention_lets_go_of_the_oldest_ended_beyond_the_newest_kept_and_never_of_a_queued_or_running_one()
    {
        var s = RegistryState.Empty;
        for (var i = 0; i < 6; i++) s = Accept(s, $"x{i}");
        s = s.Apply(new RegistryEvent.Started("e000001", T0)); // running
        foreach (var id in new[] { "e000002", "e000003", "e000004", "e000005" })
            s = s.Apply(new RegistryEvent.Finished(id, ExperimentStatus.Completed, T0.AddDays(id == "e000005" ? 9 : 1), 6, null));
        Assert.Equal(["e000002", "e000003"], s.ToForget(2, null, T0.AddDays(10)));
        // By age: ended more than 5 days before day 10 (all but e000005), besides the count.
        Assert.Equal(["e000002", "e000003", "e000004"], s.ToForget(100, TimeSpan.FromDays(5), T0.AddDays(10)));
        s = s.Apply(new RegistryEvent.Forgotten("e000002", T0)).Apply(new RegistryEvent.Forgotten("e000001", T0)); // running: kept
        Assert.Equal(["e000001", "e000003", "e000004", "e000005", "e000006"], s.Experiments.Keys);
        Assert.Equal("e000007", s.NextId); // ids are never reused
    }

    [Fact]
    public void A_page_is_the_newest_before_an_id_oldest_first()
    {
        var s = RegistryState.Empty;
        for (var i = 0; i < 5; i++) s = Accept(s, $"x{i}");
        Assert.Equal(["e000004", "e000005"], s.Page(2, null).Select(r => r.Id));
        Assert.Equal(["e000002", "e000003"], s.Page(2, "e000004").Select(r => r.Id));
        Assert.Equal(["e000001"], s.Page(2, "e000002").Select(r => r.Id));
        Assert.Empty(s.Page(2, "e000001"));
    }
}

using Akka.Actor;
using Phyr.Domain.Service;
using Phyr.Host.Service.Actors;
using Phyr.Host.Service.Clustering;
using Phyr.Domain.Results;

namespace Phyr.Host.Tests.Serve;

public class ServiceSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-test", ServiceSerializer.BindingsHocon());
    private readonly ServiceSerializer _serializer;

    public ServiceSerializerTests() => _serializer = new ServiceSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Dispose();

    private T RoundTrip<T>(T value) where T : notnull => (T)_serializer.FromBinary(_serializer.ToBinary(value), _serializer.Manifest(value));

    private static readonly ExperimentRecord Record = new("e000007", "batch-sweep", 18_446_744_073_709_551_615, "name = x\naxes { cpus = \"1\" }", false, 84,
        new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.FromHours(1)))
    {
        Status = ExperimentStatus.Running, StartedAt = new DateTimeOffset(2026, 11, 27, 12, 0, 1, TimeSpan.Zero), Starts = 2,
    };

    [Fact]
    public void Every_event_and_the_snapshot_round_trip_under_a_versioned_manifest()
    {
        Assert.Equal(Record, RoundTrip(new RegistryEvent.Accepted(Record)).Experiment);
        Assert.Equal("accepted.v1", _serializer.Manifest(new RegistryEvent.Accepted(Record)));
        var finished = new RegistryEvent.Finished("e000007", ExperimentStatus.Failed, Record.SubmittedAt, 3, "boom");
        Assert.Equal(finished, RoundTrip(finished));
        var points = new PointsStored([new StoredPoint(3, 0xdeadbeefcafef00d, [new StoredMetric(Metric.SimTimeNs.Name, 41158225), new StoredMetric("x", 0.125)], ["e"])]);
        var back = RoundTrip(points);
        Assert.Equal(points.Points[0].Digest, back.Points[0].Digest);
        Assert.Equal(points.Points[0].Metrics, back.Points[0].Metrics);
        Assert.Equal(Record, RoundTrip(new RunEvent.Requested(Record)).Experiment);
        Assert.Equal("run-requested.v1", _serializer.Manifest(new RunEvent.Requested(Record)));
        var ended = new RunEvent.Ended(ExperimentStatus.Failed, 3, "boom");
        Assert.Equal(ended, RoundTrip(ended));
        Assert.Equal("run-ended.v1", _serializer.Manifest(ended));
        var cancelling = new RegistryEvent.Cancelling("e000007", Record.SubmittedAt);
        Assert.Equal(cancelling, RoundTrip(cancelling));
        Assert.Equal("cancelling.v1", _serializer.Manifest(cancelling));
        var withNodes = new RegistryEvent.Finished("e000007", ExperimentStatus.Completed, Record.SubmittedAt, 3, null,
            new SortedDictionary<string, int>(StringComparer.Ordinal) { ["akka.tcp://phyr-service@127.0.0.1:4053"] = 3 });
        Assert.Equal(3, RoundTrip(withNodes).Nodes!["akka.tcp://phyr-service@127.0.0.1:4053"]);
        var forgotten = new RegistryEvent.Forgotten("e000007", Record.SubmittedAt);
        Assert.Equal(forgotten, RoundTrip(forgotten));
        Assert.Equal("forgotten.v1", _serializer.Manifest(forgotten));
        // An ended record keeps the text's length, not the text.
        var summary = (Record with { Source = "name = x\n# " + new string('y', 1000) }).Summary();
        Assert.Equal(summary, RoundTrip(new RegistryEvent.Accepted(summary)).Experiment);
        var state = RegistryState.Empty.Apply(new RegistryEvent.Accepted(Record)) with { NextNumber = 8 };
        var restored = RoundTrip(state);
        Assert.Equal(8, restored.NextNumber);
        Assert.Equal(Record, restored.Find("e000007"));
    }

    [Fact]
    public void The_stored_form_is_readable_json()
    {
        var text = System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(new RegistryEvent.Started("e000001", Record.SubmittedAt)));
        Assert.Contains("\"id\":\"e000001\"", text);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary([], "accepted.v9"));
    }

    public static TheoryData<object> Messages => new()
    {
        new ExperimentRegistry.Submit("small", 18_446_744_073_709_551_615, "name = x", false, 4),
        new ExperimentRegistry.Accepted("e000001"), new ExperimentRegistry.QueueFull(64), new ExperimentRegistry.List(), new ExperimentRegistry.List(100, "e000042"),
        new ExperimentRegistry.Get("e000001"), new ExperimentRegistry.NotFound("e000009"), new ExperimentRegistry.Cancel("e000001"),
        new ExperimentRegistry.CancelRequested("e000001"), new ExperimentRegistry.AlreadyFinished("e000001", ExperimentStatus.Completed),
        new ExperimentRegistry.GetResults("e000001"), new ExperimentRegistry.View(Record, 3, 12.5),
        new ExperimentRegistry.Views([new ExperimentRegistry.View(Record, 3, null)]), new ExperimentRegistry.Views([], 5, true),
        new ExperimentEntity.Points([new StoredPoint(0, 42, [new StoredMetric(Metric.SimTimeNs.Name, 1.5)], [])]),
        new ExperimentEntity.Points([], Record), new ExperimentEntity.Forget("e000007"),
        new PointWorker.Run("e000001", 17, "name = x", false, 18_446_744_073_709_551_615),
        new PointWorker.Done("e000001", 17, new StoredPoint(17, 0xdeadbeefcafef00d, [new StoredMetric(Metric.SimTimeNs.Name, 41158225)], ["e"]), "akka.tcp://phyr-service@127.0.0.1:4053"),
        new PointWorker.Done("e000001", 18, null, "akka.tcp://phyr-service@127.0.0.1:4054", "boom"),
        new PointWorker.Assigned(new PointWorker.Run("e000001", 17, "name = x", true, 1), "akka.tcp://phyr-service@127.0.0.1:4053/user/registry/run-e000001-1"),
        new ExperimentEntity.RunExperiment("e000007", Record), new ExperimentEntity.CancelRun("e000007"), new ExperimentEntity.GetPoints("e000007"),
        new ExperimentRegistry.Progress("e000007", 12, 3.5, new SortedDictionary<string, int>(StringComparer.Ordinal) { ["akka.tcp://phyr-service@127.0.0.1:4053"] = 12 }),
        new ExperimentRegistry.Progress("e000007", 12, null),
        new ExperimentRegistry.MarkFinished("e000007", ExperimentStatus.Cancelled, 12, null),
        new ApiAddress.Get(), new ApiAddress.Is("http://10.0.0.2:5088", true),
    };

    /// <summary>What crosses nodes (the API on one node, the registry singleton on another) survives the wire.</summary>
    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_that_crosses_nodes_round_trips(object message)
    {
        var manifest = _serializer.Manifest(message);
        Assert.Matches(@"^(registry|results|point|experiment|api)\.[a-z-]+\.v1$", manifest);
        var back = _serializer.FromBinary(_serializer.ToBinary(message), manifest);
        Assert.IsType(message.GetType(), back);
        // Collections compare by reference in records: compare the wire form instead.
        Assert.Equal(_serializer.ToBinary(message), _serializer.ToBinary(back));
        // And the actor system picks this serializer for it (not the default JSON-of-anything).
        Assert.IsType<ServiceSerializer>(((Akka.Actor.ExtendedActorSystem)_system).Serialization.FindSerializerForType(message.GetType()), exactMatch: false);
    }
}

using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Phyr.Domain.Service;
using Phyr.Host.Service.Clustering;

namespace Phyr.Host.Service.Actors;

/// <summary>
/// How the service's events and snapshots are written to the journal, and its messages to other cluster nodes:
/// UTF-8 JSON (System.Text.Json, snake_case) under a string manifest naming the type and its version
/// ("accepted.v1", "registry.submit.v1", ...). Explicit, so stored data and the wire do not depend on .NET type
/// names; a changed message gets a new manifest and this reads both (docs/serve.md, "Wire format").
/// </summary>
public sealed class ServiceSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4711;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private sealed record StateV1(long NextNumber, IReadOnlyList<ExperimentRecord> Experiments);

    // Messages that cross nodes: the registry's protocol as the API (on any node) speaks it to the registry singleton, and
    // what the registry, the experiment entities and the point entities say to each other.
    private static readonly (string Manifest, Type Type)[] Messages =
    [
        ("registry.submit.v1", typeof(ExperimentRegistry.Submit)), ("registry.accepted.v1", typeof(ExperimentRegistry.Accepted)),
        ("registry.queue-full.v1", typeof(ExperimentRegistry.QueueFull)), ("registry.list.v1", typeof(ExperimentRegistry.List)),
        ("registry.views.v1", typeof(ExperimentRegistry.Views)), ("registry.get.v1", typeof(ExperimentRegistry.Get)),
        ("registry.view.v1", typeof(ExperimentRegistry.View)), ("registry.not-found.v1", typeof(ExperimentRegistry.NotFound)),
        ("registry.cancel.v1", typeof(ExperimentRegistry.Cancel)), ("registry.cancel-requested.v1", typeof(ExperimentRegistry.CancelRequested)),
        ("registry.already-finished.v1", typeof(ExperimentRegistry.AlreadyFinished)), ("registry.get-results.v1", typeof(ExperimentRegistry.GetResults)),
        ("results.points.v1", typeof(ExperimentEntity.Points)),
        ("experiment.run.v1", typeof(ExperimentEntity.RunExperiment)), ("experiment.cancel.v1", typeof(ExperimentEntity.CancelRun)),
        ("experiment.get-points.v1", typeof(ExperimentEntity.GetPoints)), ("experiment.forget.v1", typeof(ExperimentEntity.Forget)),
        ("registry.progress.v1", typeof(ExperimentRegistry.Progress)), ("registry.mark-finished.v1", typeof(ExperimentRegistry.MarkFinished)),
        ("point.run.v1", typeof(PointWorker.Run)), ("point.done.v1", typeof(PointWorker.Done)),
        ("point.assigned.v1", typeof(PointWorker.Assigned)),
        ("api.get-address.v1", typeof(ApiAddress.Get)), ("api.address.v1", typeof(ApiAddress.Is)),
    ];

    public static readonly Type[] Bound = [typeof(RegistryEvent), typeof(PointsStored), typeof(RunEvent), typeof(RegistryState), .. Messages.Select(m => m.Type)];

    /// <summary>The HOCON that makes an actor system use this serializer for every type it writes.</summary>
    public static string BindingsHocon() => $$"""
        akka.actor.serializers.phyr-service = "{{typeof(ServiceSerializer).AssemblyQualifiedName}}"
        akka.actor.serialization-bindings {
        {{string.Join("\n", Bound.Select(t => $"  \"{t.AssemblyQualifiedName}\" = phyr-service"))}}
        }
        """;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        RegistryEvent.Accepted => "accepted.v1",
        RegistryEvent.Started => "started.v1",
        RegistryEvent.Cancelling => "cancelling.v1",
        RegistryEvent.Finished => "finished.v1",
        RegistryEvent.Forgotten => "forgotten.v1",
        PointsStored => "points-stored.v1",
        RunEvent.Requested => "run-requested.v1",
        RunEvent.Ended => "run-ended.v1",
        RegistryState => "registry-state.v1",
        _ when Array.FindIndex(Messages, m => m.Type == o.GetType()) is var i and >= 0 => Messages[i].Manifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a service event", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        RegistryState s => JsonSerializer.SerializeToUtf8Bytes(new StateV1(s.NextNumber, [.. s.Experiments.Values]), Json),
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        "accepted.v1" => Read<RegistryEvent.Accepted>(bytes),
        "started.v1" => Read<RegistryEvent.Started>(bytes),
        "cancelling.v1" => Read<RegistryEvent.Cancelling>(bytes),
        "finished.v1" => Read<RegistryEvent.Finished>(bytes),
        "forgotten.v1" => Read<RegistryEvent.Forgotten>(bytes),
        "points-stored.v1" => Read<PointsStored>(bytes),
        "run-requested.v1" => Read<RunEvent.Requested>(bytes),
        "run-ended.v1" => Read<RunEvent.Ended>(bytes),
        "registry-state.v1" => Read<StateV1>(bytes) is var s
            ? s.Experiments.Aggregate(RegistryState.Empty with { NextNumber = s.NextNumber },
                (state, e) => state with { Experiments = state.Experiments.SetItem(e.Id, e) })
            : RegistryState.Empty,
        _ when Array.FindIndex(Messages, m => m.Manifest == manifest) is var i and >= 0 =>
            JsonSerializer.Deserialize(bytes, Messages[i].Type, Json) ?? throw new SerializationException($"empty {manifest}"),
        _ => throw new SerializationException($"unknown service manifest '{manifest}'"),
    };

    private static T Read<T>(byte[] bytes) =>
        JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"empty {typeof(T).Name}");
}

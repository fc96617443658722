using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Phyr.Domain.Service;

namespace Phyr.Host.Service;

/// <summary>
/// How the service's events and snapshots are written to the journal: UTF-8 JSON (System.Text.Json) under a
/// string manifest naming the type and its version ("accepted.v1", ...). Explicit, so stored data does not
/// depend on .NET type names; a new version of an event gets a new manifest and this reads both.
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

    public static readonly Type[] Bound = [typeof(RegistryEvent), typeof(PointsStored), typeof(RegistryState)];

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        RegistryEvent.Accepted => "accepted.v1",
        RegistryEvent.Started => "started.v1",
        RegistryEvent.Finished => "finished.v1",
        PointsStored => "points-stored.v1",
        RegistryState => "registry-state.v1",
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
        "finished.v1" => Read<RegistryEvent.Finished>(bytes),
        "points-stored.v1" => Read<PointsStored>(bytes),
        "registry-state.v1" => Read<StateV1>(bytes) is var s
            ? s.Experiments.Aggregate(RegistryState.Empty with { NextNumber = s.NextNumber },
                (state, e) => state with { Experiments = state.Experiments.SetItem(e.Id, e) })
            : RegistryState.Empty,
        _ => throw new SerializationException($"unknown service manifest '{manifest}'"),
    };

    private static T Read<T>(byte[] bytes) =>
        JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"empty {typeof(T).Name}");
}

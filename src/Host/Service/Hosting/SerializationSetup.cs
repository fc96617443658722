using Akka.Hosting;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Service.Hosting;

/// <summary>The service's events, snapshots and cross-node messages through <see cref="ServiceSerializer"/> (explicit, versioned manifests).</summary>
public static class SerializationSetup
{
    public static AkkaConfigurationBuilder WithPhyrSerialization(this AkkaConfigurationBuilder akka) =>
        akka.WithCustomSerializer("phyr-service", ServiceSerializer.Bound, system => new ServiceSerializer(system));
}

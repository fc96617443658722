using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using Phyr.Host.Cli;
using Phyr.Host.Service;
using Phyr.Host.Service.Actors;
using Phyr.Host.Service.Clustering;

namespace Phyr.Host.Cli;

/// <summary>
/// `--cluster SEEDS`: finds the HTTP API of a running cluster from its seed nodes' addresses, as a cluster client
/// (Akka.Cluster.Tools) — not a member: it asks the receptionist at the seeds for a node's <see cref="ApiAddress"/>
/// and leaves. Its own address is the local one that routes to the first seed, so the answer can come back.
/// </summary>
public static class ClusterContact
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Whether <paramref name="value"/> is a comma-separated list of node addresses (rather than an HTTP URL).</summary>
    public static bool IsSeedList(string value) => value.StartsWith("akka.tcp://", StringComparison.Ordinal);

    public static (Uri Url, bool NeedsToken) FindApi(string seedList)
    {
        var seeds = seedList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var seed in seeds)
            if (!ServiceOptions.IsNodeAddress(seed))
                throw new UsageException("--cluster", $"'{seed}' is not akka.tcp://{ServiceOptions.SystemName}@HOST:PORT (or give an http:// address)");
        var first = new Uri(seeds[0]);
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "{{LocalAddressFacing(first.Host, first.Port)}}", port = 0 }
            akka.loglevel = ERROR
            akka.stdout-loglevel = OFF
            akka.log-dead-letters = off
            akka.cluster.client.establishing-get-contacts-interval = 1s
            """).WithFallback(ConfigurationFactory.ParseString(ServiceSerializer.BindingsHocon()));
        using var system = ActorSystem.Create("phyr-client", config);
        try
        {
            var contacts = seeds.Select(s => ActorPath.Parse(s.TrimEnd('/') + "/system/receptionist")).ToImmutableHashSet();
            var client = system.ActorOf(ClusterClient.Props(ClusterClientSettings.Create(system).WithInitialContacts(contacts)), "client");
            var answer = client.Ask<ApiAddress.Is>(new ClusterClient.Send(ApiAddress.ServicePath, new ApiAddress.Get()), Timeout).GetAwaiter().GetResult();
            return (new Uri(answer.Url), answer.NeedsToken);
        }
        catch (AskTimeoutException)
        {
            throw new UsageException("--cluster", $"no phyr serve node answered at {seedList} within {Timeout.TotalSeconds:0} s");
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>The local address the system would use to reach HOST (no packet is sent: a UDP socket only picks its route).</summary>
    private static string LocalAddressFacing(string host, int port)
    {
        try
        {
            var target = Dns.GetHostAddresses(host).First();
            using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(target, port);
            return ((IPEndPoint)probe.LocalEndPoint!).Address.ToString();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw new UsageException("--cluster", $"cannot reach {host}: {e.Message}");
        }
    }
}

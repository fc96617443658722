using Akka.Actor;

namespace Phyr.Host.Service.Clustering;

/// <summary>
/// On every node that takes API requests, registered with the cluster-client receptionist: answers the node's HTTP
/// address, so that `phyr run --cluster SEEDS` — a client outside the cluster that knows only its seed nodes — finds
/// an API to submit to and follow. A wildcard bind (0.0.0.0, [::], *, +) is answered with the node's cluster
/// hostname, the address others reach it at.
/// </summary>
public sealed class ApiAddress : ReceiveActor
{
    public const string Name = "api-address";

    /// <summary>The path a cluster client sends to (<c>ClusterClient.Send</c>).</summary>
    public const string ServicePath = "/user/" + Name;

    public sealed record Get;

    /// <summary>The node's HTTP address, and whether its API wants a token (it does unless it listens on loopback only).</summary>
    public sealed record Is(string Url, bool NeedsToken);

    /// <param name="bound">The addresses the HTTP server listens on once started (its real port when configured as 0).</param>
    public ApiAddress(ServiceOptions options, Func<IEnumerable<string>> bound)
    {
        // A client elsewhere cannot use a loopback address: one that is not comes first.
        Receive<Get>(_ => Sender.Tell(new Is(Advertised(options,
            bound().OrderBy(u => ServiceOptions.IsLoopback(u) ? 1 : 0).FirstOrDefault()), !options.LoopbackOnly)));
    }

    public static string Advertised(ServiceOptions options, string? bound)
    {
        var first = bound ?? options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        var uri = new UriBuilder(first.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::") uri.Host = options.ClusterHostname;
        return uri.Uri.GetLeftPart(UriPartial.Authority);
    }
}

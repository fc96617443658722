using System.Net;
using System.Net.Sockets;

namespace Phyr.Host.Service;

/// <summary>The addresses `phyr serve` listens on, checked before the host starts: one line for a port already taken.</summary>
public static class ServeAddresses
{
    /// <summary>The first of <paramref name="urls"/> (';'-separated http://HOST:PORT) whose port another program holds, or null.</summary>
    public static string? InUse(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var normal = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normal, UriKind.Absolute, out var u)) continue;
            var addresses = u.Host == "localhost" ? [IPAddress.Loopback]
                : IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) ? [ip]
                : Array.Empty<IPAddress>();
            foreach (var address in addresses)
            {
                var listener = new TcpListener(address, u.Port);
                try
                {
                    listener.Start();
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
                {
                    return $"{address}:{u.Port}";
                }
                finally
                {
                    listener.Stop();
                }
            }
        }
        return null;
    }
}

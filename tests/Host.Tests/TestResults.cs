using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Phyr.Host.Tests;

/// <summary>Helpers the result and service tests share.</summary>
internal static class TestResults
{
    /// <summary>A results.json without its host block (wall time, parallelism): what must be byte-identical between runs.</summary>
    public static string WithoutHost(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return string.Join("\n", doc.RootElement.EnumerateObject().Where(p => p.Name != "host").Select(p => p.ToString()));
    }

    /// <summary>A loopback TCP port free a moment ago.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

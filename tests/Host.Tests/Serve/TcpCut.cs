using System.Net;
using System.Net.Sockets;

namespace Phyr.Host.Tests.Serve;

/// <summary>
/// A TCP path to a real server that a test can cut and mend: while down, every connection through it is reset and new
/// ones are refused — what a client sees of a database server that stopped — and up again, it forwards as before.
/// </summary>
internal sealed class TcpCut : IDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cancel = new();

    public int Port { get; }

    public TcpCut(string host, int port)
    {
        (_host, _port) = (host, port);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Up();
    }

    public void Up()
    {
        _cancel = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = Accept(_listener, _cancel.Token);
    }

    public void Down()
    {
        _cancel.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var c in _open)
            {
                try
                {
                    if (c.Client is { } socket) socket.LingerState = new LingerOption(true, 0); // a reset, not a polite close
                    c.Close();
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                }
            }
            _open.Clear();
        }
    }

    private async Task Accept(TcpListener listener, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancel);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_host, _port, cancel);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Close();
                continue;
            }
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }
            _ = Pump(client, server, cancel);
            _ = Pump(server, client, cancel);
        }
    }

    private static async Task Pump(TcpClient from, TcpClient to, CancellationToken cancel)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), cancel);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            from.Close();
            to.Close();
        }
    }

    public void Dispose() => Down();
}

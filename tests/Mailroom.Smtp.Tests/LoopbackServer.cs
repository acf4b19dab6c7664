using System.Net;
using System.Net.Sockets;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

/// <summary>What the host does: a TcpListener on a free loopback port handing each accepted socket to <see cref="SmtpServer"/>.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public LoopbackServer(SmtpServerOptions options, bool withAuthenticator = true)
    {
        Server = new SmtpServer(options, Policy, Store, withAuthenticator ? new TestAuthenticator() : null);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public SmtpServer Server { get; }

    public TestRecipientPolicy Policy { get; } = new();

    public TestMessageStore Store { get; } = new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connects from <paramref name="from"/> (any loopback address on Linux) or, by default, from 127.0.0.1.</summary>
    public async Task<TcpClient> ConnectAsync(IPAddress? from = null)
    {
        var client = new TcpClient(new IPEndPoint(from ?? IPAddress.Loopback, 0));
        await client.ConnectAsync(IPAddress.Loopback, Port);
        return client;
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                connections.Add(ServeAsync(socket));
            }
        }
        // Stopping races the loop: an accept begun after Stop() fails with "not listening" rather than a cancellation.
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or InvalidOperationException or SocketException)
        {
            await Task.WhenAll(connections);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        await Server.HandleConnectionAsync(stream, new SmtpConnectionContext(socket.RemoteEndPoint, socket.LocalEndPoint), _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }
}

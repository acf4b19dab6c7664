using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Mailroom.Core.Platform;
using Mailroom.Server.Hosting;
using Mailroom.Smtp.Server;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>The SMTP socket: accepts connections on <c>Mailroom:Smtp:Listen</c> and hands each to the protocol driver.</summary>
public sealed class SmtpListener(SmtpOptions options, PlatformSettings platform, HostedRecipientPolicy policy, InboundGroupCommit store,
    Readiness readiness, TimeProvider time, ILogger<SmtpListener> logger) : BackgroundService
{
    private TcpListener? _listener;

    /// <summary>The bound endpoint (the real port when configured with port 0).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bind before the host reports started, so that /healthz and tests see a listening socket.
        _listener = new TcpListener(IPEndPoint.Parse(options.Listen));
        _listener.Start(512);
        readiness.SmtpListening();
        logger.LogInformation("SMTP listening on {Endpoint}", _listener.LocalEndpoint);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var server = new SmtpServer(new SmtpServerOptions
        {
            ServerName = platform.EffectiveMailHost,
            MaxMessageSize = options.MaxMessageSize,
            MaxRecipients = options.MaxRecipients,
            MaxConnections = options.MaxConnections,
            IdleTimeout = options.IdleTimeout,
            MaxConnectionsPerAddress = options.MaxConnectionsPerAddress,
            MaxSessionDuration = options.MaxSessionDuration,
            MinDataRate = options.MinDataRate,
            Certificate = LoadCertificate(),
        }, policy, store, time: time);
        var connections = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var socket = await _listener!.AcceptSocketAsync(stoppingToken);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(ServeAsync(server, socket, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: stop accepting, let open sessions see the cancellation.
        }
        finally
        {
            _listener!.Stop();
            await Task.WhenAll(connections);
        }
    }

    private async Task ServeAsync(SmtpServer server, Socket socket, CancellationToken ct)
    {
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            await server.HandleConnectionAsync(stream, new SmtpConnectionContext(socket.RemoteEndPoint, socket.LocalEndPoint), ct);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
        catch (Exception e)
        {
            logger.LogError(e, "SMTP session from {Remote} failed", socket.RemoteEndPoint);
        }
    }

    private X509Certificate2 LoadCertificate() => options.CertificateFile is { } file
        ? X509CertificateLoader.LoadPkcs12FromFile(file, options.CertificatePassword)
        : SmtpCertificates.CreateSelfSigned(platform.EffectiveMailHost);
}

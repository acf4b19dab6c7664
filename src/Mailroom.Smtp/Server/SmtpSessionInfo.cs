using System.Net;

namespace Mailroom.Smtp.Server;

/// <summary>The session as the seams see it: who is connected, what they said in EHLO, TLS and AUTH state.</summary>
public sealed class SmtpSessionInfo
{
    internal SmtpSessionInfo(string sessionId, EndPoint? remoteEndPoint, EndPoint? localEndPoint, DateTimeOffset connectedAt)
    {
        SessionId = sessionId;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        ConnectedAt = connectedAt;
    }

    public string SessionId { get; }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>The EHLO or HELO argument, null before the client introduced itself.</summary>
    public string? HeloName { get; internal set; }

    /// <summary>True after EHLO, false after HELO (no extensions).</summary>
    public bool IsExtended { get; internal set; }

    public bool IsTls { get; internal set; }

    /// <summary>The user name accepted by AUTH, null when the client did not authenticate.</summary>
    public string? AuthenticatedUser { get; internal set; }
}

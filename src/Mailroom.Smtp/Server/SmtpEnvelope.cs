using System.Net;

namespace Mailroom.Smtp.Server;

/// <summary>How the client declared the body in MAIL FROM (RFC 6152 BODY=8BITMIME).</summary>
public enum SmtpBodyType
{
    SevenBit,
    EightBitMime,
}

/// <summary>Everything the SMTP session learned about one message besides its bytes.</summary>
public sealed record SmtpEnvelope
{
    public required string SessionId { get; init; }

    public EndPoint? RemoteEndPoint { get; init; }

    public required string HeloName { get; init; }

    /// <summary>The MAIL FROM address; empty for the null reverse path <c>&lt;&gt;</c> (bounces).</summary>
    public required string ReversePath { get; init; }

    /// <summary>Recipients the policy accepted, in RCPT order, without duplicates.</summary>
    public required IReadOnlyList<string> Recipients { get; init; }

    public bool IsTls { get; init; }

    public string? AuthenticatedUser { get; init; }

    /// <summary>True when MAIL FROM carried SMTPUTF8 (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }

    public SmtpBodyType BodyType { get; init; }

    /// <summary>SIZE declared in MAIL FROM, if any.</summary>
    public long? DeclaredSize { get; init; }

    /// <summary>True when the body arrived through BDAT rather than DATA.</summary>
    public bool Chunked { get; init; }

    /// <summary>When the end of the message was received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}

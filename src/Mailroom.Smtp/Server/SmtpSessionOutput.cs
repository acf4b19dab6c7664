namespace Mailroom.Smtp.Server;

/// <summary>What the connection driver does after writing the replies.</summary>
public enum SmtpSessionAction
{
    /// <summary>Keep reading.</summary>
    Continue,

    /// <summary>Start the TLS handshake, then call <see cref="SmtpServerSession.TlsEstablished"/>.</summary>
    StartTls,

    /// <summary>Close the connection.</summary>
    Close,
}

/// <summary>The replies to one chunk of input, in order, and what to do next.</summary>
public sealed record SmtpSessionOutput(IReadOnlyList<SmtpReply> Replies, SmtpSessionAction Action);

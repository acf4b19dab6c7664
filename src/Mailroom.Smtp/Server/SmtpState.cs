namespace Mailroom.Smtp.Server;

/// <summary>Where a server session is in the protocol. <see cref="SmtpStateTable"/> says which command moves it where.</summary>
public enum SmtpState
{
    /// <summary>Greeting sent (or TLS just started); the client has not said EHLO/HELO.</summary>
    Connected,

    /// <summary>EHLO/HELO done, no mail transaction open.</summary>
    Greeted,

    /// <summary>MAIL FROM accepted, no recipient yet.</summary>
    MailFrom,

    /// <summary>At least one RCPT TO accepted.</summary>
    RcptTo,

    /// <summary>BDAT chunks received, BDAT ... LAST not yet.</summary>
    Chunking,

    /// <summary>QUIT answered or the connection is being dropped; nothing more is read.</summary>
    Closed,
}

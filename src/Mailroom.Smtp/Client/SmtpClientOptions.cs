namespace Mailroom.Smtp.Client;

/// <summary>How the client secures the connection.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text, STARTTLS never sent.</summary>
    None,

    /// <summary>STARTTLS when offered, without checking the certificate (RFC 7435 opportunistic security); plain text otherwise.</summary>
    StartTlsOpportunistic,

    /// <summary>STARTTLS must be offered and the certificate must validate for <see cref="SmtpClientOptions.TargetHost"/> (unless <see cref="SmtpClientOptions.AcceptAnyCertificate"/>); otherwise a transient failure.</summary>
    StartTlsRequired,

    /// <summary>The caller passes a stream already under TLS (port 465); STARTTLS is never sent.</summary>
    ImplicitTls,
}

/// <summary>AUTH credentials. <see cref="ToString"/> leaves the password out so it never reaches a log.</summary>
public sealed class SmtpCredentials(string userName, string password)
{
    public string UserName { get; } = userName;

    public string Password { get; } = password;

    public override string ToString() => $"SmtpCredentials {{ UserName = {UserName} }}";
}

public sealed record SmtpClientOptions
{
    /// <summary>Our host name for EHLO/HELO.</summary>
    public required string HeloName { get; init; }

    public SmtpTlsMode TlsMode { get; init; } = SmtpTlsMode.StartTlsOpportunistic;

    /// <summary>The server's host name, checked against its certificate in <see cref="SmtpTlsMode.StartTlsRequired"/>.</summary>
    public string? TargetHost { get; init; }

    public bool AcceptAnyCertificate { get; init; }

    /// <summary>When set and the server offers AUTH, the client authenticates with PLAIN, or LOGIN when PLAIN is not offered.</summary>
    public SmtpCredentials? Credentials { get; init; }

    /// <summary>Longest wait for one reply or one write (RFC 5321 section 4.5.3.2 suggests minutes).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}

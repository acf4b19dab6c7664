using Mailroom.Smtp.Server;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>The <c>Mailroom:Smtp</c> section.</summary>
public sealed class SmtpOptions
{
    /// <summary><c>address:port</c> to listen on; empty turns the listener off.</summary>
    public string Listen { get; set; } = "127.0.0.1:2525";
    public long MaxMessageSize { get; set; } = 35 * 1024 * 1024;
    public int MaxRecipients { get; set; } = 100;
    public int MaxConnections { get; set; } = 200;
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public int MaxConnectionsPerAddress { get; set; } = SmtpServerOptions.Default.MaxConnectionsPerAddress;
    public TimeSpan MaxSessionDuration { get; set; } = SmtpServerOptions.Default.MaxSessionDuration;
    /// <summary>Octets per second a command line or message must keep up after the idle allowance; 0 turns it off.</summary>
    public int MinDataRate { get; set; } = SmtpServerOptions.Default.MinDataRate;
    /// <summary>A PKCS#12 file for STARTTLS; without one a self-signed certificate is generated at start.</summary>
    public string? CertificateFile { get; set; }
    public string? CertificatePassword { get; set; }
}

using System.Security.Cryptography.X509Certificates;

namespace Mailroom.Smtp.Server;

/// <summary>Limits and identity of the SMTP server. Each limit names the reply a client gets when it is crossed.</summary>
public sealed record SmtpServerOptions
{
    public static SmtpServerOptions Default { get; } = new();

    /// <summary>Host name in the 220 greeting and the EHLO reply.</summary>
    public string ServerName { get; init; } = "localhost";

    /// <summary>Recipients per transaction; the next RCPT gets <c>452 4.5.3</c>.</summary>
    public int MaxRecipients { get; init; } = 100;

    /// <summary>Command line length including CRLF (RFC 5321: 512); longer gets <c>500 5.5.6</c>.</summary>
    public int MaxCommandLineLength { get; init; } = 512;

    /// <summary>Text line length in DATA including CRLF (RFC 5321: 1000); a longer line makes the message <c>500 5.5.6</c>.</summary>
    public int MaxTextLineLength { get; init; } = 1000;

    /// <summary>Length of an AUTH exchange line (RFC 4954: 12288).</summary>
    public int MaxAuthLineLength { get; init; } = 12288;

    /// <summary>Message size in octets, advertised as SIZE; a larger declared or received message gets <c>552 5.3.4</c>.</summary>
    public long MaxMessageSize { get; init; } = 35 * 1024 * 1024;

    /// <summary>Commands per connection; the next gets <c>421 4.7.0</c> and the connection closes.</summary>
    public int MaxCommands { get; init; } = 1000;

    /// <summary>Rejected commands (unknown, syntax, sequence, bare LF, too long) per connection; reaching it gives <c>421 4.7.0</c> and closes.</summary>
    public int MaxBadCommands { get; init; } = 10;

    /// <summary>Time the driver waits for the client to send anything (or to read a reply); then <c>421 4.4.2</c> and close.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Simultaneous connections handled by one <see cref="SmtpServer"/>; the next gets <c>421 4.3.2</c> and is closed.</summary>
    public int MaxConnections { get; init; } = 100;

    /// <summary>Simultaneous connections from one IP address, so that one client cannot take every slot; the next gets
    /// <c>421 4.7.0</c> and is closed. Postfix's default: a busy sending MTA opens up to 20 per destination.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 50;

    /// <summary>Longest a connection may last, however active; at the next read past it the client gets <c>421 4.4.2</c>
    /// and is closed (a message being received is dropped, never acknowledged).</summary>
    public TimeSpan MaxSessionDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Slowest a command line or a message (DATA, BDAT) may arrive, in octets per second: a transfer gets
    /// <see cref="IdleTimeout"/> plus 1/rate second per octet received; slower gets <c>421 4.4.2</c> and is closed.
    /// 0 turns it off.</summary>
    public int MinDataRate { get; init; } = 1024;

    /// <summary>Certificate for STARTTLS. STARTTLS is advertised only when set (see <see cref="SmtpCertificates.CreateSelfSigned"/>).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Whether AUTH is offered before STARTTLS. Off by default so passwords never cross the network in clear.</summary>
    public bool AllowAuthWithoutTls { get; init; }

    /// <summary>Message bytes kept in memory while receiving; beyond this the body spills to a temporary file.</summary>
    public int MemoryBufferThreshold { get; init; } = 256 * 1024;

    /// <summary>Folder for spilled message bodies; the system temporary folder when null.</summary>
    public string? TempDirectory { get; init; }
}

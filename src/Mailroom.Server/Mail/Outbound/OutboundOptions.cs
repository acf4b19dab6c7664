namespace Mailroom.Server.Mail.Outbound;

/// <summary>The <c>Mailroom:Outbound</c> section.</summary>
public sealed class OutboundOptions
{
    /// <summary><c>mx</c> (look up each recipient domain's MX) or <c>relay</c> (hand everything to one smarthost).</summary>
    public string Mode { get; set; } = "mx";
    public RelayOptions Relay { get; set; } = new();
    /// <summary>The port MX hosts are reached on; 25 except in tests.</summary>
    public int MxPort { get; set; } = 25;
    /// <summary>How long temporary failures are retried before the message bounces.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromDays(5);
    public static readonly double[] DefaultRetryDelays = [60, 300, 900, 1800, 3600, 7200, 14400];

    /// <summary>Delays between attempts, in seconds; the last repeats until the window ends.</summary>
    /// <remarks>Null by default: configuration binding appends to a non-empty default instead of replacing it.</remarks>
    public double[]? RetryDelays { get; set; }

    public double[] Delays => RetryDelays is { Length: > 0 } configured ? configured : DefaultRetryDelays;
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Largest total of attachments fetched from URLs for one message.</summary>
    public long MaxAttachmentBytes { get; set; } = 25 * 1024 * 1024;
}

public sealed class RelayOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary><c>none</c>, <c>starttls</c> or <c>tls</c> (implicit TLS from the first byte).</summary>
    public string Tls { get; set; } = "starttls";
    /// <summary>Accept any certificate from the relay (tests and private relays only).</summary>
    public bool AcceptAnyCertificate { get; set; }
}

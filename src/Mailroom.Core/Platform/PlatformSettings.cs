namespace Mailroom.Core.Platform;

/// <summary>What the operator configured about this installation, as the core needs it.</summary>
public sealed class PlatformSettings
{
    /// <summary>The platform domain: always verified, the default for new inboxes.</summary>
    public string DefaultDomain { get; set; } = "mailroom.local";
    /// <summary>The host name this server answers mail for (MX target, SMTP greeting).</summary>
    public string? MailHost { get; set; }
    public int DefaultInboxLimit { get; set; } = 50;
    public int DefaultDomainLimit { get; set; } = 10;
    public int DefaultIdentityLimit { get; set; } = 10;

    public string EffectiveMailHost => MailHost ?? $"mx.{DefaultDomain}";
    public Domains.PlatformDns Dns => new(EffectiveMailHost, $"_spf.{DefaultDomain}");
}

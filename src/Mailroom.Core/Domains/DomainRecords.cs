namespace Mailroom.Core.Domains;

/// <summary>The four records a custom domain publishes so that Mailroom can receive and sign its mail.</summary>
public static class DomainRecords
{
    public static List<DomainRecord> For(string domain, string selector, string dkimPublicKey, PlatformDns platform) =>
    [
        new("MX", domain, platform.MxHost, DomainRecordStatus.Missing, 10),
        new("TXT", domain, $"v=spf1 include:{platform.SpfInclude} ~all", DomainRecordStatus.Missing, null),
        new("TXT", $"{selector}._domainkey.{domain}", $"v=DKIM1; k=rsa; p={dkimPublicKey}", DomainRecordStatus.Missing, null),
        new("TXT", $"_dmarc.{domain}", $"v=DMARC1; p=none; rua=mailto:dmarc@{domain}", DomainRecordStatus.Missing, null),
    ];
}

/// <summary>Where this installation receives mail and which SPF record it publishes for its senders.</summary>
public sealed record PlatformDns(string MxHost, string SpfInclude);

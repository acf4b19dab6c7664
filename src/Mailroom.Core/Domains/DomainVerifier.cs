using Mailroom.Core.Events;

namespace Mailroom.Core.Domains;

/// <summary>The DNS questions domain verification asks; the server answers them with its own DNS client.</summary>
public interface IDomainDnsLookup
{
    /// <summary>MX host names, lower case without the trailing dot; empty when the name has none.</summary>
    Task<IReadOnlyList<string>> GetMxHostsAsync(string domain, CancellationToken ct);
    /// <summary>Each TXT record's strings joined; empty when the name has none.</summary>
    Task<IReadOnlyList<string>> GetTxtAsync(string name, CancellationToken ct);
}

/// <summary>
/// Checks each record a domain should publish (VALID, MISSING or INVALID), sets the domain's status from them and
/// announces <c>domain.verified</c> when the domain becomes verified. A DNS failure counts as MISSING for that record.
/// </summary>
public sealed class DomainVerifier(IDomainRepository domains, IDomainDnsLookup dns, EventPublisher events,
    Common.ITransactionRunner transactions, PlatformDns platform, TimeProvider time)
{
    public async Task<Domain> VerifyAsync(Domain domain, CancellationToken ct = default)
    {
        var checkedRecords = new List<DomainRecord>();
        foreach (var record in domain.Records)
            checkedRecords.Add(record.WithStatus(await CheckAsync(domain, record, ct)));

        var now = time.GetUtcNow();
        var wasVerified = domain.Status == DomainStatus.Verified;
        domain.Records = checkedRecords;
        domain.Status = checkedRecords.All(r => r.Status == DomainRecordStatus.Valid) ? DomainStatus.Verified
            : checkedRecords.Any(r => r.Status == DomainRecordStatus.Invalid) ? DomainStatus.Failed
            : DomainStatus.Pending;
        domain.LastCheckedAt = now;
        domain.UpdatedAt = now;
        if (domain.Status == DomainStatus.Verified && !wasVerified) domain.VerifiedAt = now;

        await transactions.InTransactionAsync(async () =>
        {
            await domains.UpdateAsync(domain, ct);
            if (domain.Status == DomainStatus.Verified && !wasVerified)
                await events.PublishAsync(new DomainVerified(domain), ct);
            return true;
        }, ct);
        return domain;
    }

    private async Task<string> CheckAsync(Domain domain, DomainRecord record, CancellationToken ct)
    {
        try
        {
            if (record.Type == "MX")
            {
                var hosts = await dns.GetMxHostsAsync(record.Name, ct);
                return hosts.Count == 0 ? DomainRecordStatus.Missing
                    : hosts.Contains(platform.MxHost.ToLowerInvariant()) ? DomainRecordStatus.Valid
                    : DomainRecordStatus.Invalid;
            }
            var texts = await dns.GetTxtAsync(record.Name, ct);
            var (marker, isValid) = RuleFor(domain, record);
            var candidates = texts.Where(t => t.TrimStart().StartsWith(marker, StringComparison.OrdinalIgnoreCase)).ToList();
            return candidates.Count == 0 ? DomainRecordStatus.Missing
                : candidates.Any(isValid) ? DomainRecordStatus.Valid
                : DomainRecordStatus.Invalid;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return DomainRecordStatus.Missing;
        }
    }

    /// <summary>Which TXT records are candidates for this record, and which candidate is right.</summary>
    private (string Marker, Func<string, bool> IsValid) RuleFor(Domain domain, DomainRecord record)
    {
        if (record.Name.StartsWith("_dmarc.", StringComparison.Ordinal))
            return ("v=DMARC1", _ => true);
        if (record.Name.Contains("._domainkey.", StringComparison.Ordinal))
            return ("v=DKIM1", text => PublicKeyOf(text) == domain.DkimPublicKey);
        return ("v=spf1", text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(term => term.TrimStart('+').Equals("include:" + platform.SpfInclude, StringComparison.OrdinalIgnoreCase)));
    }

    private static string? PublicKeyOf(string dkimRecord) =>
        dkimRecord.Split(';').Select(tag => tag.Trim()).FirstOrDefault(tag => tag.StartsWith("p=", StringComparison.Ordinal))?[2..]
            .Replace(" ", "", StringComparison.Ordinal);
}

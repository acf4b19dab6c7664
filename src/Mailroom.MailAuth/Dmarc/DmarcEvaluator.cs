using Mailroom.MailAuth.Dkim;
using Mailroom.MailAuth.Dns;
using Mailroom.MailAuth.Spf;

namespace Mailroom.MailAuth.Dmarc;

/// <summary>The DMARC result (RFC 7489 §11.2, RFC 8601 §2.7).</summary>
public enum DmarcResult
{
    /// <summary>The From domain publishes no usable policy.</summary>
    None,
    /// <summary>An authenticated identifier is aligned with the From domain.</summary>
    Pass,
    /// <summary>No authenticated identifier is aligned.</summary>
    Fail,
    /// <summary>The policy could not be fetched (DNS failure).</summary>
    TempError,
}

/// <summary>The requested handling of failing mail (p= and sp=).</summary>
public enum DmarcDisposition
{
    None,
    Quarantine,
    Reject,
}

/// <summary>Identifier alignment mode (adkim= and aspf=).</summary>
public enum DmarcAlignment
{
    Relaxed,
    Strict,
}

/// <summary>A published DMARC record (RFC 7489 §6.3).</summary>
/// <param name="Domain">The domain whose _dmarc record it is: the From domain or its organizational domain.</param>
public sealed record DmarcPolicy(
    string Domain,
    DmarcDisposition Policy,
    DmarcDisposition? SubdomainPolicy,
    int Percent,
    DmarcAlignment DkimAlignment,
    DmarcAlignment SpfAlignment,
    string? AggregateReportUris);

/// <summary>The verdict on one message's RFC5322.From domain.</summary>
/// <param name="AppliedPolicy">
/// The disposition asked for when the result is fail: sp= for a subdomain whose policy came from the
/// organizational domain, p= otherwise. Sampling by pct= is left to the caller.
/// </param>
public sealed record DmarcEvaluation(
    DmarcResult Result,
    string FromDomain,
    DmarcPolicy? Policy,
    DmarcDisposition? AppliedPolicy,
    bool SpfAligned,
    bool DkimAligned,
    string Reason);

/// <summary>DMARC (RFC 7489): is the From domain authenticated by an aligned SPF or DKIM pass?</summary>
public sealed class DmarcEvaluator(IDnsResolver resolver)
{
    public Task<DmarcEvaluation> EvaluateAsync(
        string fromDomain, SpfEvaluation? spf, IReadOnlyList<DkimVerificationResult> dkim,
        CancellationToken cancellationToken = default) =>
        EvaluateAsync(fromDomain, spf?.Result ?? SpfResult.None, spf?.Domain, dkim, cancellationToken);

    /// <param name="fromDomain">The domain of the RFC5322.From address.</param>
    /// <param name="spfResult">The SPF result for the MAIL FROM (or, with an empty reverse-path, HELO) identity.</param>
    /// <param name="spfDomain">The domain SPF checked.</param>
    /// <param name="dkim">Every DKIM signature's result.</param>
    public async Task<DmarcEvaluation> EvaluateAsync(
        string fromDomain, SpfResult spfResult, string? spfDomain, IReadOnlyList<DkimVerificationResult> dkim,
        CancellationToken cancellationToken = default)
    {
        fromDomain = fromDomain.Trim().TrimEnd('.').ToLowerInvariant();
        DmarcPolicy? policy;
        try
        {
            policy = await DiscoverAsync(fromDomain, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsException e)
        {
            return new DmarcEvaluation(DmarcResult.TempError, fromDomain, null, null, false, false, e.Message);
        }
        if (policy is null)
            return new DmarcEvaluation(DmarcResult.None, fromDomain, null, null, false, false, "no DMARC record");

        var spfAligned = spfResult == SpfResult.Pass && spfDomain is not null
                         && Aligned(spfDomain, fromDomain, policy.SpfAlignment);
        var dkimAligned = dkim.Any(d => d.Result == DkimResult.Pass && d.Domain is not null
                                        && Aligned(d.Domain, fromDomain, policy.DkimAlignment));
        var applied = !policy.Domain.Equals(fromDomain, StringComparison.OrdinalIgnoreCase)
            ? policy.SubdomainPolicy ?? policy.Policy
            : policy.Policy;
        var pass = spfAligned || dkimAligned;
        var reason = pass
            ? (dkimAligned ? "aligned DKIM pass" : "aligned SPF pass")
            : "no aligned SPF or DKIM pass";
        return new DmarcEvaluation(pass ? DmarcResult.Pass : DmarcResult.Fail, fromDomain, policy, applied, spfAligned, dkimAligned, reason);
    }

    /// <summary>§3.1: strict alignment is equality; relaxed alignment is a shared organizational domain.</summary>
    public static bool Aligned(string authenticated, string fromDomain, DmarcAlignment mode)
    {
        authenticated = authenticated.TrimEnd('.');
        fromDomain = fromDomain.TrimEnd('.');
        return mode == DmarcAlignment.Strict
            ? authenticated.Equals(fromDomain, StringComparison.OrdinalIgnoreCase)
            : OrganizationalDomain.Of(authenticated).Equals(OrganizationalDomain.Of(fromDomain), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>§6.6.3: the From domain's record, else the organizational domain's; several records mean none.</summary>
    private async Task<DmarcPolicy?> DiscoverAsync(string fromDomain, CancellationToken cancellationToken)
    {
        if (!DnsName.IsValid("_dmarc." + fromDomain))
            return null;
        var policy = await FetchAsync(fromDomain, cancellationToken).ConfigureAwait(false);
        var organizational = OrganizationalDomain.Of(fromDomain);
        if (policy is null && !organizational.Equals(fromDomain, StringComparison.OrdinalIgnoreCase))
            policy = await FetchAsync(organizational, cancellationToken).ConfigureAwait(false);
        return policy;
    }

    private async Task<DmarcPolicy?> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        var response = await resolver.QueryAsync("_dmarc." + domain, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
        if (response.ResponseCode is not (DnsResponseCode.NoError or DnsResponseCode.NameError))
            throw new DnsException($"The DMARC lookup for {domain} answered {response.ResponseCode}.");
        var records = response.AnswersOf<DnsTxtRecord>(DnsRecordType.TXT)
            .Select(r => r.Text)
            .Where(t => t.TrimStart().StartsWith("v=DMARC1", StringComparison.Ordinal))
            .ToList();
        return records.Count == 1 ? Parse(domain, records[0]) : null;
    }

    /// <summary>
    /// §6.3: v=DMARC1 first; p= required (a missing or unknown p= with a rua= is read as p=none, §6.6.3);
    /// unknown or malformed optional tags take their defaults.
    /// </summary>
    private static DmarcPolicy? Parse(string domain, string record)
    {
        var tags = DkimTagList.Parse(record);
        if (tags is null || tags.GetValueOrDefault("v") != "DMARC1")
            return null;
        tags.TryGetValue("rua", out var rua);
        var policy = ParseDisposition(tags.GetValueOrDefault("p"));
        if (policy is null && string.IsNullOrEmpty(rua))
            return null;
        var percent = int.TryParse(tags.GetValueOrDefault("pct"), out var pct) && pct is >= 0 and <= 100 ? pct : 100;
        return new DmarcPolicy(
            domain,
            policy ?? DmarcDisposition.None,
            ParseDisposition(tags.GetValueOrDefault("sp")),
            percent,
            ParseAlignment(tags.GetValueOrDefault("adkim")),
            ParseAlignment(tags.GetValueOrDefault("aspf")),
            rua);
    }

    private static DmarcDisposition? ParseDisposition(string? value) => value?.ToLowerInvariant() switch
    {
        "none" => DmarcDisposition.None,
        "quarantine" => DmarcDisposition.Quarantine,
        "reject" => DmarcDisposition.Reject,
        _ => null,
    };

    private static DmarcAlignment ParseAlignment(string? value) =>
        string.Equals(value, "s", StringComparison.OrdinalIgnoreCase) ? DmarcAlignment.Strict : DmarcAlignment.Relaxed;
}

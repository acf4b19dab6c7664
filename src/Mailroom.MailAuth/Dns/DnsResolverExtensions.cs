using System.Net;

namespace Mailroom.MailAuth.Dns;

/// <summary>Typed questions over any <see cref="IDnsResolver"/>. NXDOMAIN and NODATA give an empty list; other failures throw <see cref="DnsException"/>.</summary>
public static class DnsResolverExtensions
{
    /// <summary>MX records ordered by preference, lowest (most preferred) first (RFC 5321 §5.1).</summary>
    public static async Task<IReadOnlyList<DnsMxRecord>> GetMxAsync(
        this IDnsResolver resolver, string domain, CancellationToken cancellationToken = default)
    {
        var response = await QueryOrThrowAsync(resolver, domain, DnsRecordType.MX, cancellationToken).ConfigureAwait(false);
        return [.. response.AnswersOf<DnsMxRecord>(DnsRecordType.MX).OrderBy(r => r.Preference)];
    }

    /// <summary>Each TXT record's character-strings joined into one string.</summary>
    public static async Task<IReadOnlyList<string>> GetTxtAsync(
        this IDnsResolver resolver, string name, CancellationToken cancellationToken = default)
    {
        var response = await QueryOrThrowAsync(resolver, name, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
        return [.. response.AnswersOf<DnsTxtRecord>(DnsRecordType.TXT).Select(r => r.Text)];
    }

    /// <summary>
    /// The IPv4 and IPv6 addresses of a host (A then AAAA), CNAMEs followed. One family failing (some servers refuse
    /// AAAA) does not hide the other; only when both fail is that an error.
    /// </summary>
    public static async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(
        this IDnsResolver resolver, string host, CancellationToken cancellationToken = default)
    {
        var v4 = QueryOrThrowAsync(resolver, host, DnsRecordType.A, cancellationToken);
        var v6 = QueryOrThrowAsync(resolver, host, DnsRecordType.AAAA, cancellationToken);
        try { await Task.WhenAll(v4, v6).ConfigureAwait(false); }
        catch (DnsException) when (v4.IsCompletedSuccessfully || v6.IsCompletedSuccessfully) { }
        return [.. new[] { v4, v6 }.Where(t => t.IsCompletedSuccessfully)
            .SelectMany(t => t.Result.AnswersOf<DnsAddressRecord>(t.Result.Type)).Select(r => r.Address)];
    }

    /// <summary>The name a CNAME chain starting at <paramref name="name"/> ends at; the name itself when it is no alias.</summary>
    public static async Task<string> GetCanonicalNameAsync(
        this IDnsResolver resolver, string name, CancellationToken cancellationToken = default)
    {
        var response = await QueryOrThrowAsync(resolver, name, DnsRecordType.A, cancellationToken).ConfigureAwait(false);
        var current = name.TrimEnd('.');
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { current };
        while (response.AnswersOf<DnsNameRecord>(DnsRecordType.CNAME)
                   .FirstOrDefault(r => r.Name.Equals(current, StringComparison.OrdinalIgnoreCase)) is { } cname
               && visited.Add(cname.Target))
            current = cname.Target;
        return current;
    }

    private static async Task<DnsResponse> QueryOrThrowAsync(
        IDnsResolver resolver, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        var response = await resolver.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
        return response.ResponseCode is DnsResponseCode.NoError or DnsResponseCode.NameError
            ? response
            : throw new DnsException($"The DNS server answered {response.ResponseCode} for {name} {type}.");
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Mailroom.MailAuth.Dns;

namespace Mailroom.MailAuth.Spf;

/// <summary>Limits from RFC 7208 §4.6.4.</summary>
public sealed record SpfEvaluatorOptions
{
    /// <summary>Terms that cause DNS queries (include, a, mx, ptr, exists, redirect) allowed per evaluation.</summary>
    public int MaxDnsLookups { get; init; } = 10;

    /// <summary>Queries answered NXDOMAIN or with no records allowed per evaluation.</summary>
    public int MaxVoidLookups { get; init; } = 2;

    /// <summary>Address lookups allowed for the hosts of one mx mechanism.</summary>
    public int MaxMxAddressLookups { get; init; } = 10;
}

/// <summary>
/// Sender Policy Framework, RFC 7208: is the client allowed to send for this domain? The ptr mechanism
/// never matches (§5.5 says it SHOULD NOT be used; it still counts as a DNS lookup) and exp= is not evaluated.
/// </summary>
public sealed partial class SpfEvaluator(IDnsResolver resolver, SpfEvaluatorOptions? options = null)
{
    private readonly IDnsResolver _resolver = resolver;
    private readonly SpfEvaluatorOptions _options = options ?? new SpfEvaluatorOptions();

    /// <summary>
    /// check_host() for the MAIL FROM identity, or for the HELO identity when the reverse-path is empty
    /// (RFC 7208 §2.4): then the sender is "postmaster@helo".
    /// </summary>
    public Task<SpfEvaluation> EvaluateMailFromAsync(
        IPAddress client, string? mailFrom, string heloDomain, CancellationToken cancellationToken = default)
    {
        var at = mailFrom?.LastIndexOf('@') ?? -1;
        if (string.IsNullOrEmpty(mailFrom) || at < 0)
            return EvaluateCoreAsync(client, heloDomain, null, heloDomain, isHelo: true, cancellationToken);
        return EvaluateCoreAsync(client, mailFrom[(at + 1)..], mailFrom[..at], heloDomain, isHelo: false, cancellationToken);
    }

    /// <summary>
    /// check_host(client, domain, sender) with sender = "<paramref name="senderLocalPart"/>@domain", or
    /// "postmaster@domain" when no local part is given (the HELO identity, §2.3).
    /// </summary>
    public Task<SpfEvaluation> EvaluateAsync(
        IPAddress client, string domain, string? senderLocalPart, CancellationToken cancellationToken = default) =>
        EvaluateCoreAsync(client, domain, senderLocalPart, domain, isHelo: string.IsNullOrEmpty(senderLocalPart), cancellationToken);

    private async Task<SpfEvaluation> EvaluateCoreAsync(
        IPAddress client, string domain, string? localPart, string helo, bool isHelo, CancellationToken cancellationToken)
    {
        domain = domain.Trim().TrimEnd('.');
        var local = string.IsNullOrEmpty(localPart) ? "postmaster" : localPart;
        var ip = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        var run = new Run(this, new SpfMacroContext($"{local}@{domain}", local, domain, domain, ip, helo), cancellationToken);
        var (result, reason) = await run.CheckHostAsync(domain).ConfigureAwait(false);
        return new SpfEvaluation(result, domain, isHelo ? domain : $"{local}@{domain}", isHelo, reason);
    }

    /// <summary>An evaluation has failed as a whole (limits, syntax, DNS failure); nested includes pass it up.</summary>
    private sealed class SpfAbort(SpfResult result, string reason) : Exception(reason)
    {
        public SpfResult Result { get; } = result;
    }

    /// <summary>One evaluation: the lookup counters are shared by every nested include and redirect.</summary>
    private sealed class Run(SpfEvaluator evaluator, SpfMacroContext context, CancellationToken cancellationToken)
    {
        private int _lookups;
        private int _voidLookups;

        /// <summary>RFC 7208 §4: check_host() for <paramref name="domain"/>.</summary>
        public async Task<(SpfResult Result, string Reason)> CheckHostAsync(string domain)
        {
            // §4.3: a malformed or single-label domain has no policy.
            if (!DnsName.IsValid(domain) || !domain.Contains('.'))
                return (SpfResult.None, $"'{domain}' is not a valid domain");
            try
            {
                var record = await FindRecordAsync(domain).ConfigureAwait(false);
                if (record is null)
                    return (SpfResult.None, $"no SPF record at {domain}");
                return await EvaluateRecordAsync(Parse(record), context with { Domain = domain }).ConfigureAwait(false);
            }
            catch (SpfAbort abort)
            {
                return (abort.Result, abort.Message);
            }
        }

        /// <summary>§4.4, §4.5: the one TXT record beginning with "v=spf1"; null when there is none.</summary>
        private async Task<string?> FindRecordAsync(string domain)
        {
            var response = await QueryAsync(domain, DnsRecordType.TXT, countVoid: false).ConfigureAwait(false);
            var records = response.AnswersOf<DnsTxtRecord>(DnsRecordType.TXT)
                .Select(r => r.Text)
                .Where(t => t.Equals("v=spf1", StringComparison.OrdinalIgnoreCase)
                            || t.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase))
                .ToList();
            return records.Count switch
            {
                0 => null,
                1 => records[0],
                _ => throw new SpfAbort(SpfResult.PermError, $"{domain} publishes {records.Count} SPF records"),
            };
        }

        private async Task<(SpfResult, string)> EvaluateRecordAsync(SpfRecord record, SpfMacroContext here)
        {
            foreach (var directive in record.Directives)
            {
                if (await MatchesAsync(directive, here).ConfigureAwait(false))
                    return (directive.Qualifier, $"matched {directive.Text} at {here.Domain}");
            }
            if (record.Redirect is { } redirect)
            {
                CountLookup();
                var target = ExpandDomain(redirect, here);
                var (result, reason) = await CheckHostAsync(target).ConfigureAwait(false);
                // §6.1: a redirect to a domain without a record is a permanent error.
                return result == SpfResult.None
                    ? (SpfResult.PermError, $"redirect={target} has no SPF record")
                    : (result, reason);
            }
            return (SpfResult.Neutral, $"no mechanism matched at {here.Domain}");
        }

        /// <summary>§5: does this mechanism match the client?</summary>
        private async Task<bool> MatchesAsync(SpfDirective directive, SpfMacroContext here)
        {
            switch (directive.Mechanism)
            {
                case "all":
                    return true;

                case "include":
                {
                    CountLookup();
                    var (result, reason) = await CheckHostAsync(ExpandDomain(directive.DomainSpec!, here)).ConfigureAwait(false);
                    // §5.2: only pass matches; errors, and a target without a policy, fail the whole evaluation.
                    return result switch
                    {
                        SpfResult.Pass => true,
                        SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => false,
                        SpfResult.TempError => throw new SpfAbort(SpfResult.TempError, reason),
                        _ => throw new SpfAbort(SpfResult.PermError, $"include: {reason}"),
                    };
                }

                case "a":
                {
                    CountLookup();
                    var host = directive.DomainSpec is null ? here.Domain : ExpandDomain(directive.DomainSpec, here);
                    var addresses = await AddressesAsync(host, countVoid: true).ConfigureAwait(false);
                    return addresses.Any(a => InNetwork(a, directive));
                }

                case "mx":
                {
                    CountLookup();
                    var domain = directive.DomainSpec is null ? here.Domain : ExpandDomain(directive.DomainSpec, here);
                    var response = await QueryAsync(domain, DnsRecordType.MX, countVoid: true).ConfigureAwait(false);
                    var exchanges = response.AnswersOf<DnsMxRecord>(DnsRecordType.MX)
                        .OrderBy(mx => mx.Preference)
                        .Select(mx => mx.Exchange)
                        .Where(DnsName.IsValid)
                        .ToList();
                    if (exchanges.Count > evaluator._options.MaxMxAddressLookups)
                        throw new SpfAbort(SpfResult.PermError, $"mx at {domain} needs more than {evaluator._options.MaxMxAddressLookups} address lookups");
                    foreach (var exchange in exchanges)
                    {
                        var addresses = await AddressesAsync(exchange, countVoid: false).ConfigureAwait(false);
                        if (addresses.Any(a => InNetwork(a, directive)))
                            return true;
                    }
                    return false;
                }

                case "ptr":
                    // §5.5: "ptr" SHOULD NOT be published and is slow and unreliable; it never matches here.
                    CountLookup();
                    return false;

                case "ip4":
                case "ip6":
                    return InNetwork(directive.Network!, directive);

                case "exists":
                {
                    CountLookup();
                    var name = ExpandDomain(directive.DomainSpec!, here);
                    var response = await QueryAsync(name, DnsRecordType.A, countVoid: true).ConfigureAwait(false);
                    return response.AnswersOf<DnsAddressRecord>(DnsRecordType.A).Any();
                }

                default:
                    throw new SpfAbort(SpfResult.PermError, $"unknown mechanism {directive.Mechanism}");
            }
        }

        private bool InNetwork(IPAddress address, SpfDirective directive)
        {
            var client = context.Client;
            if (address.AddressFamily != client.AddressFamily)
                return false;
            var prefix = client.AddressFamily == AddressFamily.InterNetwork ? directive.Ip4Prefix : directive.Ip6Prefix;
            return SamePrefix(address.GetAddressBytes(), client.GetAddressBytes(), prefix);
        }

        private static bool SamePrefix(byte[] network, byte[] client, int prefix)
        {
            for (var i = 0; i < network.Length && prefix > 0; i++, prefix -= 8)
            {
                var mask = prefix >= 8 ? 0xFF : (0xFF << (8 - prefix)) & 0xFF;
                if ((network[i] & mask) != (client[i] & mask))
                    return false;
            }
            return true;
        }

        private async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host, bool countVoid)
        {
            var type = context.Client.AddressFamily == AddressFamily.InterNetwork ? DnsRecordType.A : DnsRecordType.AAAA;
            var response = await QueryAsync(host, type, countVoid).ConfigureAwait(false);
            return [.. response.AnswersOf<DnsAddressRecord>(type).Select(r => r.Address)];
        }

        private void CountLookup()
        {
            if (++_lookups > evaluator._options.MaxDnsLookups)
                throw new SpfAbort(SpfResult.PermError, $"more than {evaluator._options.MaxDnsLookups} DNS lookups");
        }

        /// <summary>§4.4: DNS errors give temperror; §4.6.4: too many empty answers give permerror.</summary>
        private async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, bool countVoid)
        {
            DnsResponse response;
            try
            {
                response = await evaluator._resolver.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
            }
            catch (DnsException e)
            {
                throw new SpfAbort(SpfResult.TempError, $"DNS lookup of {name} {type} failed: {e.Message}");
            }
            if (response.ResponseCode is not (DnsResponseCode.NoError or DnsResponseCode.NameError))
                throw new SpfAbort(SpfResult.TempError, $"DNS lookup of {name} {type} answered {response.ResponseCode}");
            if (countVoid && response.IsEmpty && ++_voidLookups > evaluator._options.MaxVoidLookups)
                throw new SpfAbort(SpfResult.PermError, $"more than {evaluator._options.MaxVoidLookups} void DNS lookups");
            return response;
        }

        /// <summary>
        /// §7: expand a domain-spec; a result longer than 253 characters loses labels from the left (§7.3).
        /// An expansion that is not a domain name with an alphabetic top label is a permerror.
        /// </summary>
        private static string ExpandDomain(string domainSpec, SpfMacroContext here)
        {
            var expanded = SpfMacro.Expand(domainSpec, here)?.TrimEnd('.')
                           ?? throw new SpfAbort(SpfResult.PermError, $"bad macro in '{domainSpec}'");
            while (expanded.Length > 253 && expanded.IndexOf('.') is var dot && dot >= 0)
                expanded = expanded[(dot + 1)..];
            var topLabel = expanded[(expanded.LastIndexOf('.') + 1)..];
            if (!DnsName.IsValid(expanded) || !expanded.Contains('.') || topLabel.All(char.IsAsciiDigit))
                throw new SpfAbort(SpfResult.PermError, $"'{expanded}' is not a valid domain");
            return expanded;
        }
    }

    private sealed record SpfDirective(string Text, SpfResult Qualifier, string Mechanism)
    {
        public string? DomainSpec { get; init; }
        public IPAddress? Network { get; init; }
        public int Ip4Prefix { get; init; } = 32;
        public int Ip6Prefix { get; init; } = 128;
    }

    private sealed record SpfRecord(IReadOnlyList<SpfDirective> Directives, string? Redirect);

    /// <summary>§4.6: the whole record is parsed before evaluation; any syntax error is a permerror.</summary>
    private static SpfRecord Parse(string record)
    {
        var directives = new List<SpfDirective>();
        string? redirect = null;
        var explanationSeen = false;
        foreach (var term in record.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var mechanism = MechanismSyntax().Match(term);
            if (mechanism.Success)
            {
                directives.Add(ParseDirective(term, mechanism));
                continue;
            }
            var modifier = ModifierSyntax().Match(term);
            if (!modifier.Success)
                throw new SpfAbort(SpfResult.PermError, $"unknown term '{term}'");
            var name = modifier.Groups["name"].Value;
            // §6: redirect and exp may each appear once; unknown modifiers are ignored.
            if (name.Equals("redirect", StringComparison.OrdinalIgnoreCase))
            {
                if (redirect is not null || modifier.Groups["value"].Length == 0)
                    throw new SpfAbort(SpfResult.PermError, "bad or repeated redirect=");
                redirect = modifier.Groups["value"].Value;
            }
            else if (name.Equals("exp", StringComparison.OrdinalIgnoreCase))
            {
                if (explanationSeen)
                    throw new SpfAbort(SpfResult.PermError, "repeated exp=");
                explanationSeen = true;
            }
        }
        // §6.1: redirect is ignored when the record has an "all" mechanism.
        return new SpfRecord(directives, directives.Any(d => d.Mechanism == "all") ? null : redirect);
    }

    private static SpfDirective ParseDirective(string term, Match match)
    {
        var qualifier = match.Groups["qualifier"].Value switch
        {
            "-" => SpfResult.Fail,
            "~" => SpfResult.SoftFail,
            "?" => SpfResult.Neutral,
            _ => SpfResult.Pass,
        };
        var name = match.Groups["name"].Value.ToLowerInvariant();
        var argument = term[match.Length..];
        var directive = new SpfDirective(term, qualifier, name);
        SpfAbort Invalid() => new(SpfResult.PermError, $"bad mechanism '{term}'");

        switch (name)
        {
            case "all":
                return argument.Length == 0 ? directive : throw Invalid();
            case "include" or "exists":
                return argument.Length > 1 && argument[0] == ':' ? directive with { DomainSpec = argument[1..] } : throw Invalid();
            case "ptr":
                if (argument.Length == 0)
                    return directive;
                return argument.Length > 1 && argument[0] == ':' ? directive with { DomainSpec = argument[1..] } : throw Invalid();
            case "a" or "mx":
            {
                var cidr = DualCidrSyntax().Match(argument);
                if (!cidr.Success)
                    throw Invalid();
                var spec = cidr.Groups["spec"].Value;
                if (spec.Length == 1 || (spec.Length > 1 && spec[0] != ':'))
                    throw Invalid();
                directive = directive with { DomainSpec = spec.Length > 1 ? spec[1..] : null };
                return WithPrefixes(directive, cidr.Groups["v4"], cidr.Groups["v6"], Invalid);
            }
            default: // ip4, ip6
            {
                var network = NetworkSyntax().Match(argument);
                var family = name == "ip4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                var text = network.Groups["address"].Value;
                // IPAddress.TryParse also takes "10" or "10.1"; ip4-network is a full dotted quad.
                if (!network.Success || !IPAddress.TryParse(text, out var address) || address.AddressFamily != family
                    || (family == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3))
                    throw Invalid();
                directive = directive with { Network = address };
                var prefix = network.Groups["prefix"];
                return name == "ip4"
                    ? WithPrefixes(directive, prefix, null, Invalid)
                    : WithPrefixes(directive, null, prefix, Invalid);
            }
        }
    }

    private static SpfDirective WithPrefixes(SpfDirective directive, Group? v4, Group? v6, Func<SpfAbort> invalid)
    {
        if (v4 is { Success: true })
            directive = directive with { Ip4Prefix = int.Parse(v4.Value) is var p4 && p4 <= 32 ? p4 : throw invalid() };
        if (v6 is { Success: true })
            directive = directive with { Ip6Prefix = int.Parse(v6.Value) is var p6 && p6 <= 128 ? p6 : throw invalid() };
        return directive;
    }

    [GeneratedRegex(@"^(?<qualifier>[+\-~?]?)(?<name>all|include|a|mx|ptr|ip4|ip6|exists)(?=$|[:/])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MechanismSyntax();

    [GeneratedRegex(@"^(?<name>[A-Za-z][A-Za-z0-9\-_.]*)=(?<value>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ModifierSyntax();

    [GeneratedRegex(@"^(?<spec>(?::.*?)?)(?:/(?<v4>0|[1-9][0-9]?))?(?://(?<v6>0|[1-9][0-9]{0,2}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex DualCidrSyntax();

    [GeneratedRegex(@"^:(?<address>[^/]+)(?:/(?<prefix>0|[1-9][0-9]{0,2}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex NetworkSyntax();
}

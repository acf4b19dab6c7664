using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Mailroom.MailAuth.Dns;

namespace Mailroom.MailAuth.Dkim;

/// <summary>The result of one signature, named as in RFC 8601 §2.7.1.</summary>
public enum DkimResult
{
    /// <summary>The signature verified.</summary>
    Pass,
    /// <summary>The signature or body hash did not verify, or the signature has expired.</summary>
    Fail,
    /// <summary>The signature may be intact but is not accepted: rsa-sha1, or a key under 1024 bits (RFC 8301).</summary>
    Policy,
    /// <summary>The key could not be fetched for a reason that may pass (DNS failure).</summary>
    TempError,
    /// <summary>The signature or key record is unusable: syntax, missing tags, no key, revoked key.</summary>
    PermError,
}

/// <summary>The verdict on one DKIM-Signature field.</summary>
/// <param name="Result">Pass, fail, policy, temperror or permerror.</param>
/// <param name="Domain">The signing domain (d=), when the field names one.</param>
/// <param name="Selector">The selector (s=), when the field names one.</param>
/// <param name="Reason">Why the result is not pass, in a few words.</param>
public sealed record DkimVerificationResult(DkimResult Result, string? Domain, string? Selector, string? Reason = null)
{
    /// <summary>The agent or user identifier (i=), "@d" when absent.</summary>
    public string? Identity { get; init; }

    /// <summary>The signing algorithm (a=).</summary>
    public string? Algorithm { get; init; }

    /// <summary>The first eight characters of b=, which tell signatures apart in Authentication-Results (RFC 6008).</summary>
    public string? SignaturePrefix { get; init; }
}

/// <summary>Limits for <see cref="DkimVerifier"/>.</summary>
public sealed record DkimVerifierOptions
{
    /// <summary>Signatures after this many are not looked at, so a message cannot make us do unbounded DNS work.</summary>
    public int MaxSignatures { get; init; } = 10;

    /// <summary>Keys shorter than this are refused (RFC 8301 §3.2: at least 1024 bits).</summary>
    public int MinimumKeyBits { get; init; } = 1024;

    /// <summary>The clock that decides whether x= has passed.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Verifies every DKIM-Signature field of a message (RFC 6376 §6).</summary>
public sealed partial class DkimVerifier(IDnsResolver resolver, DkimVerifierOptions? options = null)
{
    private readonly DkimVerifierOptions _options = options ?? new DkimVerifierOptions();

    /// <summary>One result per DKIM-Signature field, top to bottom; an empty list when there are none.</summary>
    public async Task<IReadOnlyList<DkimVerificationResult>> VerifyAsync(
        ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var parsed = RawMessage.Parse(message);
        var results = new List<DkimVerificationResult>();
        var bodies = new Dictionary<DkimCanonicalization, byte[]>();
        foreach (var field in parsed.Headers
                     .Where(h => h.Name.Equals("DKIM-Signature", StringComparison.OrdinalIgnoreCase))
                     .Take(_options.MaxSignatures))
        {
            results.Add(await VerifyAsync(parsed, field, bodies, cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<DkimVerificationResult> VerifyAsync(
        RawMessage message, HeaderField field, Dictionary<DkimCanonicalization, byte[]> bodies, CancellationToken cancellationToken)
    {
        var tags = DkimTagList.Parse(field.Value);
        if (tags is null)
            return new DkimVerificationResult(DkimResult.PermError, null, null, "malformed tag list");
        tags.TryGetValue("d", out var domain);
        tags.TryGetValue("s", out var selector);
        tags.TryGetValue("b", out var b);
        var signatureBase64 = DkimTagList.WithoutWhitespace(b ?? "");
        tags.TryGetValue("a", out var algorithm);
        tags.TryGetValue("i", out var identity);
        var result = new DkimVerificationResult(DkimResult.PermError, domain, selector)
        {
            Identity = identity ?? (domain is null ? null : "@" + domain),
            Algorithm = algorithm,
            SignaturePrefix = signatureBase64.Length >= 8 ? signatureBase64[..8] : signatureBase64,
        };
        DkimVerificationResult Verdict(DkimResult verdict, string? reason = null) => result with { Result = verdict, Reason = reason };

        // §6.1.1: validate the signature field.
        if (!tags.TryGetValue("v", out var version) || version != "1")
            return Verdict(DkimResult.PermError, "missing or unknown v= version");
        foreach (var required in (string[])["a", "b", "bh", "d", "h", "s"])
        {
            if (!tags.ContainsKey(required))
                return Verdict(DkimResult.PermError, $"missing {required}= tag");
        }
        if (!DnsName.IsValid(domain!) || !DnsName.IsValid(selector!))
            return Verdict(DkimResult.PermError, "d= or s= is not a domain name");
        if (algorithm!.Equals("rsa-sha1", StringComparison.OrdinalIgnoreCase))
            return Verdict(DkimResult.Policy, "rsa-sha1 is not accepted (RFC 8301)");
        if (!algorithm.Equals("rsa-sha256", StringComparison.OrdinalIgnoreCase))
            return Verdict(DkimResult.PermError, $"unsupported algorithm {algorithm}");
        if (!TryParseCanonicalization(tags.GetValueOrDefault("c"), out var headerCanonicalization, out var bodyCanonicalization))
            return Verdict(DkimResult.PermError, "unknown canonicalization");
        var signedHeaders = tags["h"].Split(':').Select(n => n.Trim(' ', '\t', '\r', '\n')).ToList();
        if (signedHeaders.Any(n => n.Length == 0))
            return Verdict(DkimResult.PermError, "malformed h= tag");
        if (!signedHeaders.Contains("from", StringComparer.OrdinalIgnoreCase))
            return Verdict(DkimResult.PermError, "From is not signed");
        var identityDomain = result.Identity![(result.Identity!.LastIndexOf('@') + 1)..];
        if (!result.Identity.Contains('@') || !DnsName.IsAtOrBelow(identityDomain, domain!))
            return Verdict(DkimResult.PermError, "i= is not within d=");
        if (tags.TryGetValue("q", out var query) && !query.Split(':').Any(q => q.Trim().Equals("dns/txt", StringComparison.OrdinalIgnoreCase)))
            return Verdict(DkimResult.PermError, "unsupported query method");
        long? bodyLength = null;
        if (tags.TryGetValue("l", out var lText))
        {
            if (!TryParseNumber(lText, out var l))
                return Verdict(DkimResult.PermError, "malformed l= tag");
            bodyLength = l;
        }
        long? timestamp = null;
        if (tags.TryGetValue("t", out var tText))
        {
            if (!TryParseNumber(tText, out var t))
                return Verdict(DkimResult.PermError, "malformed t= tag");
            timestamp = t;
        }
        if (tags.TryGetValue("x", out var xText))
        {
            if (!TryParseNumber(xText, out var expires) || expires < timestamp)
                return Verdict(DkimResult.PermError, "malformed x= tag");
            if (expires < _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds())
                return Verdict(DkimResult.Fail, "signature expired");
        }
        byte[] expectedBodyHash, signature;
        try
        {
            expectedBodyHash = Convert.FromBase64String(DkimTagList.WithoutWhitespace(tags["bh"]));
            signature = Convert.FromBase64String(signatureBase64);
        }
        catch (FormatException)
        {
            return Verdict(DkimResult.PermError, "malformed base64 in b= or bh=");
        }

        // §6.1.2: get the public key.
        var (key, keyError) = await FetchKeyAsync(domain!, selector!, identityDomain, cancellationToken).ConfigureAwait(false);
        if (key is null)
            return keyError!;
        using (key)
        {
            if (key.KeySize < _options.MinimumKeyBits)
                return Verdict(DkimResult.Policy, $"key of {key.KeySize} bits is too short (RFC 8301)");

            // §6.1.3: compute the verification.
            if (!bodies.TryGetValue(bodyCanonicalization, out var body))
                bodies[bodyCanonicalization] = body = Canonicalizer.Body(message.Body.Span, bodyCanonicalization);
            if (bodyLength > body.Length)
                return Verdict(DkimResult.Fail, "l= is longer than the body");
            var hashed = bodyLength is { } length ? body.AsSpan(0, (int)length) : body;
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(hashed), expectedBodyHash))
                return Verdict(DkimResult.Fail, "body hash did not verify");

            var data = HeaderData(message, field, signedHeaders, headerCanonicalization);
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                ? Verdict(DkimResult.Pass)
                : Verdict(DkimResult.Fail, "signature did not verify");
        }

        async Task<(RSA? Key, DkimVerificationResult? Error)> FetchKeyAsync(
            string d, string s, string iDomain, CancellationToken ct)
        {
            DnsResponse response;
            try
            {
                response = await resolver.QueryAsync($"{s}._domainkey.{d}", DnsRecordType.TXT, ct).ConfigureAwait(false);
            }
            catch (DnsException e)
            {
                return (null, Verdict(DkimResult.TempError, "key lookup failed: " + e.Message));
            }
            catch (ArgumentException)
            {
                return (null, Verdict(DkimResult.PermError, "key record name is not a domain name"));
            }
            if (response.ResponseCode is not (DnsResponseCode.NoError or DnsResponseCode.NameError))
                return (null, Verdict(DkimResult.TempError, $"key lookup answered {response.ResponseCode}"));

            var records = response.AnswersOf<DnsTxtRecord>(DnsRecordType.TXT).Select(r => r.Text).ToList();
            if (records.Count == 0)
                return (null, Verdict(DkimResult.PermError, "no key record"));
            string? firstProblem = null;
            foreach (var record in records)
            {
                var (key, problem) = ParseKeyRecord(record, d, iDomain);
                if (key is not null)
                    return (key, null);
                firstProblem ??= problem;
            }
            return (null, Verdict(DkimResult.PermError, firstProblem));
        }
    }

    /// <summary>§3.6.1: a key record; the problem in a few words when it cannot verify this signature.</summary>
    private static (RSA? Key, string? Problem) ParseKeyRecord(string record, string domain, string identityDomain)
    {
        var tags = DkimTagList.Parse(record);
        if (tags is null)
            return (null, "malformed key record");
        if (tags.TryGetValue("v", out var version) && version != "DKIM1")
            return (null, "key record version is not DKIM1");
        if (tags.TryGetValue("k", out var keyType) && !keyType.Equals("rsa", StringComparison.OrdinalIgnoreCase))
            return (null, $"unsupported key type {keyType}");
        if (tags.TryGetValue("h", out var hashes) && !ListContains(hashes, "sha256"))
            return (null, "key does not allow sha256");
        if (tags.TryGetValue("s", out var services) && !ListContains(services, "*") && !ListContains(services, "email"))
            return (null, "key is not for email");
        // t=s: the i= domain must be d= itself, not a subdomain.
        if (tags.TryGetValue("t", out var flags) && ListContains(flags, "s")
            && !identityDomain.Equals(domain, StringComparison.OrdinalIgnoreCase))
            return (null, "key is restricted to d= (t=s)");
        if (!tags.TryGetValue("p", out var p))
            return (null, "key record has no p= tag");
        var publicKey = DkimTagList.WithoutWhitespace(p);
        if (publicKey.Length == 0)
            return (null, "key revoked");

        var rsa = RSA.Create();
        try
        {
            var der = Convert.FromBase64String(publicKey);
            // p= is a SubjectPublicKeyInfo; some publishers put the bare RSAPublicKey there instead.
            try { rsa.ImportSubjectPublicKeyInfo(der, out _); }
            catch (CryptographicException) { rsa.ImportRSAPublicKey(der, out _); }
            return (rsa, null);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            rsa.Dispose();
            return (null, "malformed public key");
        }
    }

    private static bool ListContains(string list, string item) =>
        list.Split(':').Any(entry => entry.Trim().Equals(item, StringComparison.OrdinalIgnoreCase));

    private static bool TryParseNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && text.Length <= 16;

    private static bool TryParseCanonicalization(
        string? text, out DkimCanonicalization header, out DkimCanonicalization body)
    {
        header = body = DkimCanonicalization.Simple;
        if (text is null)
            return true;
        var parts = text.Split('/');
        return parts.Length <= 2
            && Canonicalizer.TryParse(parts[0], out header)
            && (parts.Length == 1 || Canonicalizer.TryParse(parts[1], out body));
    }

    /// <summary>
    /// §5.4.2: each name in h= takes the last not yet used instance of that field; a name with none
    /// left contributes nothing. Then the signature field itself, b= emptied and without its CRLF.
    /// </summary>
    private static byte[] HeaderData(
        RawMessage message, HeaderField signatureField, List<string> signedHeaders, DkimCanonicalization canonicalization)
    {
        var used = new HashSet<HeaderField>(ReferenceEqualityComparer.Instance);
        var data = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            var instance = message.Headers.LastOrDefault(h =>
                h.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && !used.Contains(h));
            if (instance is null)
                continue;
            used.Add(instance);
            data.Append(Canonicalizer.Header(instance, canonicalization));
        }
        var colon = signatureField.Raw.IndexOf(':');
        var emptied = signatureField.Raw[..(colon + 1)] + SignatureValue().Replace(signatureField.Raw[(colon + 1)..], "${tag}");
        data.Append(Canonicalizer.Header(signatureField with { Raw = emptied }, canonicalization, terminate: false));
        return Encoding.Latin1.GetBytes(data.ToString());
    }

    /// <summary>The value of the b= tag (not bh=), which is hashed as if empty (RFC 6376 §3.7).</summary>
    [GeneratedRegex(@"(?<tag>(?:^|;)[ \t\r\n]*b[ \t\r\n]*=)[^;]*")]
    private static partial Regex SignatureValue();
}

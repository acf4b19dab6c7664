using System.Security.Cryptography;
using System.Text;
using Mailroom.MailAuth.Dns;

namespace Mailroom.MailAuth.Dkim;

/// <summary>How <see cref="DkimSigner"/> signs.</summary>
public sealed record DkimSignerOptions
{
    /// <summary>The header fields that carry meaning for a reader or a thread; From is required by RFC 6376 §5.4.</summary>
    public static readonly IReadOnlyList<string> DefaultHeaders =
    [
        "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post",
    ];

    /// <summary>Header fields signed when present, each occurrence of each.</summary>
    public IReadOnlyList<string> HeadersToSign { get; init; } = DefaultHeaders;

    public DkimCanonicalization HeaderCanonicalization { get; init; } = DkimCanonicalization.Relaxed;
    public DkimCanonicalization BodyCanonicalization { get; init; } = DkimCanonicalization.Relaxed;

    /// <summary>When set, the signature carries an x= expiry this long after its t= timestamp.</summary>
    public TimeSpan? Validity { get; init; }

    /// <summary>The clock for t= and x=.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Signs messages with rsa-sha256 for one domain and selector (RFC 6376 §5).</summary>
public sealed class DkimSigner
{
    private const int FoldWidth = 76;

    private readonly string _domain;
    private readonly string _selector;
    private readonly RSA _privateKey;
    private readonly DkimSignerOptions _options;

    public DkimSigner(string domain, string selector, RSA privateKey, DkimSignerOptions? options = null)
    {
        _domain = DnsName.Normalize(domain);
        _selector = DnsName.Normalize(selector);
        _privateKey = privateKey ?? throw new ArgumentNullException(nameof(privateKey));
        _options = options ?? new DkimSignerOptions();
        if (!_options.HeadersToSign.Contains("From", StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException("The From header field must be signed.", nameof(options));
    }

    /// <summary>The message with its DKIM-Signature field prepended.</summary>
    public byte[] SignMessage(byte[] message)
    {
        var field = Encoding.Latin1.GetBytes(Sign(message));
        return [.. field, .. message];
    }

    /// <summary>The complete "DKIM-Signature: ..." field, folded and ending in CRLF, to prepend to the message.</summary>
    public string Sign(ReadOnlySpan<byte> message)
    {
        var parsed = RawMessage.Parse(message.ToArray());
        var bodyHash = SHA256.HashData(Canonicalizer.Body(parsed.Body.Span, _options.BodyCanonicalization));

        // Sign every occurrence: h= lists a name once per instance, and verifiers take instances from the bottom.
        var signed = new List<HeaderField>();
        var names = new List<string>();
        foreach (var name in _options.HeadersToSign.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var instances = parsed.Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Reverse().ToList();
            signed.AddRange(instances);
            names.AddRange(instances.Select(_ => name));
        }
        if (!names.Contains("From", StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException("The message has no From header field.", nameof(message));

        var now = _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        var tags = new List<string>
        {
            "v=1", "a=rsa-sha256",
            $"c={Canonicalizer.Name(_options.HeaderCanonicalization)}/{Canonicalizer.Name(_options.BodyCanonicalization)}",
            $"d={_domain}", $"s={_selector}", $"t={now}",
        };
        if (_options.Validity is { } validity)
            tags.Add($"x={now + (long)validity.TotalSeconds}");
        tags.Add("h=" + string.Join(':', names));
        tags.Add("bh=" + Convert.ToBase64String(bodyHash));

        // b= comes last, so the field hashed is exactly this text up to "b=" (RFC 6376 §3.7).
        var unsigned = Fold("DKIM-Signature:", tags);
        var data = new StringBuilder();
        foreach (var field in signed)
            data.Append(Canonicalizer.Header(field, _options.HeaderCanonicalization));
        data.Append(Canonicalizer.Header(new HeaderField("DKIM-Signature", unsigned), _options.HeaderCanonicalization, terminate: false));

        var signature = _privateKey.SignData(
            Encoding.Latin1.GetBytes(data.ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return unsigned + FoldBase64(Convert.ToBase64String(signature), LastLineLength(unsigned)) + "\r\n";
    }

    /// <summary>Tags separated by "; ", a line break before a tag that would pass the fold width; h= breaks at colons.</summary>
    private static string Fold(string fieldName, List<string> tags)
    {
        var text = new StringBuilder(fieldName);
        var lineLength = fieldName.Length;
        foreach (var tag in tags.Select(t => t + ";").Append("b="))
        {
            var pieces = tag.StartsWith("h=", StringComparison.Ordinal) ? SplitAfterColons(tag) : [tag];
            for (var i = 0; i < pieces.Count; i++)
            {
                var separator = i == 0 ? " " : "";
                if (lineLength + separator.Length + pieces[i].Length > FoldWidth)
                {
                    text.Append("\r\n\t");
                    lineLength = 1;
                    separator = "";
                }
                text.Append(separator).Append(pieces[i]);
                lineLength += separator.Length + pieces[i].Length;
            }
        }
        return text.ToString();
    }

    private static List<string> SplitAfterColons(string tag)
    {
        var pieces = new List<string>();
        var start = 0;
        for (var i = 0; i < tag.Length; i++)
        {
            if (tag[i] != ':')
                continue;
            pieces.Add(tag[start..(i + 1)]);
            start = i + 1;
        }
        pieces.Add(tag[start..]);
        return pieces;
    }

    private static string FoldBase64(string value, int firstLineUsed)
    {
        var text = new StringBuilder();
        var room = Math.Max(FoldWidth - firstLineUsed, 0);
        var position = Math.Min(room, value.Length);
        text.Append(value, 0, position);
        while (position < value.Length)
        {
            var chunk = Math.Min(FoldWidth - 1, value.Length - position);
            text.Append("\r\n\t").Append(value, position, chunk);
            position += chunk;
        }
        return text.ToString();
    }

    private static int LastLineLength(string text)
    {
        var lastBreak = text.LastIndexOf("\r\n", StringComparison.Ordinal);
        // A continuation line starts with a tab, counted as one column.
        return lastBreak < 0 ? text.Length : text.Length - lastBreak - 2;
    }
}

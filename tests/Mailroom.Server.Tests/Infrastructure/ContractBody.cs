using System.Text;
using System.Text.RegularExpressions;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Turns a response text into something a contract test can compare literally: every volatile value (ids, times,
/// secrets, signatures, ports, and what is random or dated in a MIME message: Message-IDs, boundaries, DKIM tags,
/// whole-message sizes) becomes a stable placeholder, and nothing else changes.
/// </summary>
/// <remarks>
/// Ids are numbered per prefix in order of first appearance (<c>&lt;inb_1&gt;</c>, <c>&lt;inb_2&gt;</c>...), across every
/// text one instance masks, so the same id is the same placeholder in every response of a test. Each pattern is
/// strict (a timestamp is exactly <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>), so a value whose format changes is left as it is and
/// shows up in the diff.
/// </remarks>
public sealed partial class ContractBody
{
    private readonly Dictionary<string, string> _placeholders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<(string Value, string Placeholder)> _literals = [];

    /// <summary>Replaces an exact text (a server's address with its port, say) by a placeholder.</summary>
    public ContractBody Literal(string value, string placeholder)
    {
        _literals.Add((value, placeholder));
        return this;
    }

    public string Mask(string text)
    {
        text = IdPattern().Replace(text, m => Numbered(m.Groups["prefix"].Value, m.Value));
        text = TimestampPattern().Replace(text, "<time>");
        text = RfcDatePattern().Replace(text, "<date>");
        text = ApiKeyPattern().Replace(text, m => $"inai_{Numbered("head", m.Groups["head"].Value)}_<secret>");
        text = ApiKeyPrefixPattern().Replace(text, m => $"inai_{Numbered("head", m.Groups["head"].Value)}_...");
        text = WebhookSecretPattern().Replace(text, "whsec_<secret>");
        text = SignedLinkPattern().Replace(text, "expires=<unix>&signature=<hmac>");
        text = DkimKeyPattern().Replace(text, "p=<public key>");
        text = LatencyPattern().Replace(text, "\"latency_ms\":<ms>");
        text = MessageSizePattern().Replace(text, "\"size\":<bytes>");
        text = RfcMessageIdPattern().Replace(text, m => Numbered("mid", m.Value));
        text = BoundaryPattern().Replace(text, "=_<boundary>");
        text = DkimSignaturePattern().Replace(text, "t=<unix>; h=${h}; bh=<body hash>; b=<signature>");
        foreach (var (value, placeholder) in _literals) text = text.Replace(value, placeholder, StringComparison.Ordinal);
        return text;
    }

    private string Numbered(string kind, string value)
    {
        if (_placeholders.TryGetValue(value, out var known)) return known;
        var n = _counters[kind] = _counters.GetValueOrDefault(kind) + 1;
        return _placeholders[value] = $"<{kind}_{n}>";
    }

    /// <summary>
    /// Lays a compact JSON text out one member per line: a line break and two spaces per level of nesting go after
    /// every comma outside a string. Nothing is removed or reordered, so any change to the raw text still changes
    /// the result; text that is not JSON is returned as it is.
    /// </summary>
    public static string Layout(string text)
    {
        if (text.Length == 0 || (text[0] != '{' && text[0] != '[')) return text;
        var result = new StringBuilder(text.Length * 2);
        var depth = 0;
        var inString = false;
        var escaped = false;
        foreach (var c in text)
        {
            result.Append(c);
            if (inString)
            {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == '"') inString = false;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '{' or '[': depth++; break;
                case '}' or ']': depth--; break;
                case ',': result.Append('\n').Append(' ', 2 * depth); break;
            }
        }
        return result.ToString();
    }

    [GeneratedRegex(@"\b(?<prefix>org|key|inb|agt|thr|msg|att|drf|whd|wh|evt|dlv|spl)_[0-9a-hjkmnp-tv-z]{26}\b")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")]
    private static partial Regex TimestampPattern();

    /// <summary>An RFC 5322 date (a Date header, a forwarded message's block), with a numeric zone or UTC.</summary>
    [GeneratedRegex(@"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|UTC)")]
    private static partial Regex RfcDatePattern();

    [GeneratedRegex(@"\binai_(?<head>[A-Za-z0-9]{8})_[A-Za-z0-9]{40}\b")]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex(@"\binai_(?<head>[A-Za-z0-9]{8})_\.\.\.")]
    private static partial Regex ApiKeyPrefixPattern();

    [GeneratedRegex(@"\bwhsec_[A-Za-z0-9+/]{43}=")]
    private static partial Regex WebhookSecretPattern();

    [GeneratedRegex(@"expires=\d{10}&signature=[A-Za-z0-9_-]{43}\b")]
    private static partial Regex SignedLinkPattern();

    [GeneratedRegex(@"\bp=[A-Za-z0-9+/]{200,}={0,2}")]
    private static partial Regex DkimKeyPattern();

    [GeneratedRegex(@"""latency_ms"":\d+")]
    private static partial Regex LatencyPattern();

    /// <summary>
    /// The size of a whole message (before its attachments) or thread (after its message count): the raw MIME holds
    /// a Date whose day of the month has one or two digits, random boundaries and Message-IDs. Attachment sizes stay.
    /// </summary>
    [GeneratedRegex(@"""size"":\d+(?=,""attachments"":)|(?<=""message_count"":\d+,)""size"":\d+")]
    private static partial Regex MessageSizePattern();

    /// <summary>The random left part of a Message-ID Mailroom writes (<c>&lt;32 hex digits@domain&gt;</c>).</summary>
    [GeneratedRegex(@"\b[0-9a-f]{32}(?=@)")]
    private static partial Regex RfcMessageIdPattern();

    [GeneratedRegex(@"=_[0-9a-f]{24}\b")]
    private static partial Regex BoundaryPattern();

    /// <summary>The volatile tags of a DKIM-Signature: time, body hash and signature (the signed header list stays).
    /// A folded DKIM-Signature unfolds with its folds' tabs kept (RFC 5322 §2.2.3), written <c>\t</c> in JSON.</summary>
    [GeneratedRegex(@"t=\d{10}; h=(?<h>(?:[A-Za-z:\- ]|\\t)+);(?: |\\t)bh=[A-Za-z0-9+/]{43}=;(?: |\\t)b=(?:[A-Za-z0-9+/ ]|\\t)+={0,2}")]
    private static partial Regex DkimSignaturePattern();
}

using System.Text;
using Mailroom.MailAuth.Dkim;
using Mailroom.MailAuth.Dmarc;
using Mailroom.MailAuth.Spf;

namespace Mailroom.MailAuth;

/// <summary>Writes the Authentication-Results header field (RFC 8601) for inbound mail.</summary>
public static class AuthenticationResults
{
    /// <summary>
    /// "Authentication-Results: authserv-id; spf=...; dkim=...; dmarc=..." folded one method per line and
    /// ending in CRLF. A null argument leaves its method out; an empty DKIM list is "dkim=none".
    /// </summary>
    public static string Format(
        string authservId,
        SpfEvaluation? spf,
        IReadOnlyList<DkimVerificationResult>? dkim,
        DmarcEvaluation? dmarc)
    {
        var results = new List<string>();
        if (spf is not null)
        {
            var property = spf.IsHelo ? "smtp.helo" : "smtp.mailfrom";
            results.Add($"spf={Name(spf.Result)}{Comment(spf.Result == SpfResult.Pass ? null : spf.Reason)} {property}={Value(spf.Sender)}");
        }
        if (dkim is not null)
        {
            if (dkim.Count == 0)
                results.Add("dkim=none");
            foreach (var signature in dkim)
            {
                var text = new StringBuilder($"dkim={Name(signature.Result)}{Comment(signature.Reason)}");
                if (signature.Domain is not null)
                    text.Append(" header.d=").Append(Value(signature.Domain));
                if (signature.Selector is not null)
                    text.Append(" header.s=").Append(Value(signature.Selector));
                if (!string.IsNullOrEmpty(signature.SignaturePrefix))
                    text.Append(" header.b=").Append(Value(signature.SignaturePrefix));
                results.Add(text.ToString());
            }
        }
        if (dmarc is not null)
        {
            var policy = dmarc.Policy is null ? null : $"p={Name(dmarc.Policy.Policy)} dis={Name(dmarc.Result == DmarcResult.Fail ? dmarc.AppliedPolicy!.Value : DmarcDisposition.None)}";
            results.Add($"dmarc={Name(dmarc.Result)}{Comment(policy)} header.from={Value(dmarc.FromDomain)}");
        }
        if (results.Count == 0)
            results.Add("none");
        return $"Authentication-Results: {authservId};\r\n\t" + string.Join(";\r\n\t", results) + "\r\n";
    }

    private static string Name<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();

    private static string Comment(string? text) =>
        string.IsNullOrEmpty(text)
            ? ""
            : " (" + text.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)").Replace("\r", "").Replace("\n", " ") + ")";

    /// <summary>A pvalue: bare when it is a token, an address or a domain; a quoted-string otherwise.</summary>
    private static string Value(string value)
    {
        const string specials = "()<>,;:\\\"/[]?= \t";
        if (value.Length > 0 && value.All(c => c > ' ' && c < 127 && !specials.Contains(c)))
            return value;
        return "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}

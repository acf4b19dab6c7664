using System.Text;

namespace Mailroom.Smtp;

/// <summary>
/// Parses the paths of <c>MAIL FROM:</c> and <c>RCPT TO:</c> (RFC 5321 section 4.1.2, RFC 6531 for UTF-8):
/// <c>&lt;local@domain&gt;</c> followed by space-separated <c>KEYWORD[=value]</c> parameters.
/// A source route (<c>&lt;@relay:user@domain&gt;</c>) is accepted and dropped, as RFC 5321 asks.
/// </summary>
public static class SmtpAddress
{
    /// <summary>
    /// Parses <c>&lt;path&gt; params</c>. <paramref name="address"/> is <c>local@domain</c>, or empty for the null
    /// reverse path <c>&lt;&gt;</c> when <paramref name="allowNull"/>. <c>&lt;postmaster&gt;</c> without a domain is
    /// accepted when <paramref name="allowPostmaster"/>. Returns false on a syntax error.
    /// </summary>
    public static bool TryParsePath(string text, bool allowNull, bool allowPostmaster, out string address, out string parameters)
    {
        address = "";
        parameters = "";
        if (text.Length == 0 || text[0] != '<')
        {
            return false;
        }
        var end = FindClosingBracket(text);
        if (end < 0)
        {
            return false;
        }
        parameters = text[(end + 1)..].Trim(' ');
        if (end + 1 < text.Length && text[end + 1] != ' ')
        {
            return false;
        }
        var path = text[1..end];
        if (path.Length == 0)
        {
            return allowNull;
        }
        if (path[0] == '@')
        {
            var colon = path.IndexOf(':');
            if (colon < 0 || !IsSourceRoute(path[..colon]))
            {
                return false;
            }
            path = path[(colon + 1)..];
        }
        if (allowPostmaster && path.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
        {
            address = path;
            return true;
        }
        if (!IsMailbox(path))
        {
            return false;
        }
        address = path;
        return true;
    }

    /// <summary>True when a <c>local@domain</c> mailbox is syntactically valid (dot-atom or quoted local part; a domain name or an address literal).</summary>
    public static bool IsMailbox(string mailbox)
    {
        var at = mailbox.LastIndexOf('@');
        if (at <= 0 || at == mailbox.Length - 1)
        {
            return false;
        }
        var local = mailbox[..at];
        var domain = mailbox[(at + 1)..];
        return (local[0] == '"' ? IsQuotedString(local) : IsDotString(local)) && (IsDomain(domain) || IsAddressLiteral(domain));
    }

    /// <summary>True when the text holds any character outside US-ASCII, which needs SMTPUTF8.</summary>
    public static bool RequiresSmtpUtf8(string address) => !Ascii.IsValid(address);

    /// <summary>Splits <c>KEY=VALUE KEY2</c> into a case-insensitive dictionary; false on bad syntax or a repeated keyword.</summary>
    public static bool TryParseParameters(string text, out Dictionary<string, string?> parameters)
    {
        parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = token.IndexOf('=');
            var keyword = eq < 0 ? token : token[..eq];
            var value = eq < 0 ? null : token[(eq + 1)..];
            if (keyword.Length == 0 || !char.IsAsciiLetterOrDigit(keyword[0]) || !keyword.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
            if (value is not null && (value.Length == 0 || value.Any(c => c is '=' or < '!' || c == '\u007f')))
            {
                return false;
            }
            if (!parameters.TryAdd(keyword, value))
            {
                return false;
            }
        }
        return true;
    }

    private static int FindClosingBracket(string text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case '>' when !quoted:
                    return i;
            }
        }
        return -1;
    }

    // A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain
    private static bool IsSourceRoute(string route) =>
        route.Split(',').All(hop => hop.Length > 1 && hop[0] == '@' && IsDomain(hop[1..]));

    private static bool IsDotString(string local) =>
        local.Split('.').All(atom => atom.Length > 0 && atom.All(IsAtext));

    // atext of RFC 5322, widened by RFC 6531 to any non-ASCII character.
    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c) || (c > '\u007f' && !char.IsControl(c) && !char.IsWhiteSpace(c));

    private static bool IsQuotedString(string local)
    {
        if (local.Length < 2 || local[^1] != '"')
        {
            return false;
        }
        for (var i = 1; i < local.Length - 1; i++)
        {
            var c = local[i];
            if (c == '\\')
            {
                i++;
                if (i >= local.Length - 1 || local[i] is < ' ' or '\u007f')
                {
                    return false;
                }
            }
            else if (c is '"' or < ' ' or '\u007f')
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsDomain(string domain)
    {
        if (domain.Length is 0 or > 255)
        {
            return false;
        }
        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || (c > '\u007f' && !char.IsControl(c) && !char.IsWhiteSpace(c))))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAddressLiteral(string domain)
    {
        if (domain.Length < 3 || domain[0] != '[' || domain[^1] != ']')
        {
            return false;
        }
        var inner = domain[1..^1];
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            return System.Net.IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }
        var parts = inner.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p) <= 255);
    }
}

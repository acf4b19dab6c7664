using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mailroom.Mime;

/// <summary>
/// The clauses of a Received trace field (RFC 5321 section 4.4), read leniently. Real trace fields follow
/// the grammar loosely, so the value is split into words and punctuation and each word is classified (IP
/// address, number, e-mail address, domain, keyword, protocol, TLS version, cipher suite); the clause
/// keywords (from, by, via, with, id, for) take the word that follows them. The TCP-info comment after
/// "from" gives the connecting IP, its reverse name, the HELO/EHLO name and an ident; the date follows ';'.
/// </summary>
public sealed class ReceivedHeader
{
    /// <summary>The "from" host: a name, or an address literal without brackets.</summary>
    public string? From { get; private set; }

    /// <summary>The connecting IP address from the TCP-info (bracketed, or the first in the comment).</summary>
    public string? FromIp { get; private set; }

    /// <summary>The reverse-DNS name of the connecting host given in the TCP-info comment.</summary>
    public string? FromIpRev { get; private set; }

    /// <summary>The HELO/EHLO/LHLO argument given in the TCP-info comment.</summary>
    public string? Helo { get; private set; }

    /// <summary>"HELO", "EHLO" or "LHLO" when <see cref="Helo"/> came with its command.</summary>
    public string? HeloCommand { get; private set; }

    /// <summary>An ident (RFC 1413) or authenticated user named in the from clause.</summary>
    public string? Ident { get; private set; }

    public string? By { get; private set; }

    public string? Via { get; private set; }

    /// <summary>The protocol of the with clause, normalised (SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, HTTP, Local, …).</summary>
    public string? With { get; private set; }

    /// <summary>TLS version named in a comment (TLSv1_0 … TLSv1_3, SSLv2, SSLv3, DTLSv1_x).</summary>
    public string? TlsVersion { get; private set; }

    /// <summary>TLS cipher suite name (upper case, such as ECDHE-RSA-AES256-GCM-SHA384).</summary>
    public string? TlsCipher { get; private set; }

    public string? Id { get; private set; }

    public string? For { get; private set; }

    public DateTimeOffset? Date { get; private set; }

    /// <summary>Parses an unfolded Received value; null when no clause and no date could be read.</summary>
    public static ReceivedHeader? Parse(string value)
    {
        var tokens = Tokenize(value, out var dateStart);
        var r = new ReceivedHeader();
        var state = Kind.Text; // the clause keyword most recently seen (From, By, For, Id, With, Via) or Semicolon
        var i = 0;
        Token? Peek() => i < tokens.Count ? tokens[i] : null;

        // After a clause keyword: skip the listed punctuation, then take the next word (null when punctuation follows).
        Token? TakeWord(params char[] skip)
        {
            while (Peek() is { } t)
            {
                if (t.Kind == Kind.Punct && Array.IndexOf(skip, t.Text[0]) >= 0) { i++; continue; }
                if (t.Kind == Kind.Punct) return null;
                i++;
                return t;
            }
            return null;
        }

        while (i < tokens.Count)
        {
            var token = tokens[i++];
            switch (token.Kind)
            {
                case Kind.From when r.From is null:
                    r.From = TakeWord('[')?.Text;
                    state = Kind.From;
                    break;
                case Kind.By when token.Depth == 0:
                    if (TakeWord('[', '<') is { } by) r.By = by.Text;
                    state = Kind.By;
                    break;
                case Kind.For when token.Depth == 0:
                    while (Peek() is { Kind: Kind.Punct, Text: "=" or "<" }) i++;
                    if (Peek() is { Kind: Kind.Email } email) { r.For = email.Text; i++; }
                    state = Kind.For;
                    break;
                case Kind.Id when token.Depth == 0:
                    if (TakeWord('=', '<', '[', ':') is { } id) r.Id = id.Text;
                    state = Kind.Id;
                    break;
                case Kind.With when token.Depth == 0:
                    // The protocol may follow other words ("with Microsoft SMTP Server"); stop at the next clause.
                    while (Peek() is { } t)
                    {
                        if (t.Kind == Kind.Protocol) { r.With = t.Value; i++; break; }
                        if (t.Kind is Kind.TlsVersion or Kind.From or Kind.By or Kind.For or Kind.Id or Kind.Via or Kind.With
                            || t is { Kind: Kind.Punct, Text: ";" }) break;
                        i++;
                    }
                    state = Kind.With;
                    break;
                case Kind.Via when token.Depth == 0:
                    if (TakeWord('=') is { } via) r.Via = via.Text;
                    state = Kind.Via;
                    break;
                case Kind.Ident when token.Depth > 0:
                    if (TakeWord('=', '<', '[', ':') is { } ident) r.Ident = ident.Text;
                    break;
                case Kind.Greeting when state == Kind.From && token.Depth > 0:
                    r.HeloCommand = token.Value;
                    if (TakeWord('=', '[', ':') is { } helo) r.Helo = helo.Text;
                    break;
                case Kind.Punct when token.Text == ";":
                    state = Kind.Punct;
                    break;
                case Kind.Ip when state == Kind.From && (token.InBrackets || token.Depth > 0 && r.FromIp is null):
                    r.FromIp = token.Text;
                    break;
                case Kind.Domain when state == Kind.From && token.Depth > 0:
                    r.FromIpRev = token.Text;
                    break;
                case Kind.Email when state == Kind.From:
                    r.Ident = token.Text.TrimEnd('@');
                    break;
                case Kind.Cipher when token.Depth > 0 || r.TlsCipher is null:
                    r.TlsCipher = token.Text;
                    break;
                case Kind.TlsVersion when token.Depth > 0 && r.TlsVersion is null:
                    r.TlsVersion = token.Value;
                    break;
            }
        }

        if (dateStart >= 0)
        {
            var text = value.AsSpan(dateStart);
            var skip = 0;
            while (skip < text.Length && !char.IsAsciiLetterOrDigit(text[skip])) skip++;
            r.Date = MimeDate.Parse(text[skip..].ToString());
        }
        var any = (r.From ?? r.FromIp ?? r.FromIpRev ?? r.By ?? r.For ?? r.With ?? r.TlsVersion ?? r.TlsCipher
            ?? r.Id ?? r.Ident ?? r.Helo ?? r.HeloCommand ?? r.Via) is not null || r.Date is not null;
        return any ? r : null;
    }

    private enum Kind { Punct, Text, Ip, Integer, Email, Domain, Month, Protocol, Greeting, TlsVersion, Cipher, From, By, For, Id, Via, With, Ident }

    /// <summary>A word or one punctuation character; Depth is the comment nesting it starts in (0 for punctuation).</summary>
    private sealed record Token(Kind Kind, string Text, int Depth, bool InBrackets, string? Value = null);

    private static readonly Dictionary<string, Kind> Keywords = new()
    {
        ["from"] = Kind.From, ["by"] = Kind.By, ["for"] = Kind.For, ["id"] = Kind.Id,
        ["via"] = Kind.Via, ["with"] = Kind.With, ["ident"] = Kind.Ident,
        ["helo"] = Kind.Greeting, ["ehlo"] = Kind.Greeting, ["lhlo"] = Kind.Greeting,
        ["jan"] = Kind.Month, ["feb"] = Kind.Month, ["mar"] = Kind.Month, ["apr"] = Kind.Month,
        ["may"] = Kind.Month, ["jun"] = Kind.Month, ["jul"] = Kind.Month, ["aug"] = Kind.Month,
        ["sep"] = Kind.Month, ["oct"] = Kind.Month, ["nov"] = Kind.Month, ["dec"] = Kind.Month,
    };

    /// <summary>with-clause protocol words (RFC 3848 and the names mailers actually write) → normalised name.</summary>
    private static readonly Dictionary<string, string> Protocols = new()
    {
        ["smtp"] = "SMTP", ["smtpd"] = "SMTP", ["bsmtp"] = "SMTP", ["smtpsvc"] = "SMTP", ["esmtp"] = "ESMTP", ["esmtpa"] = "ESMTPA",
        ["asmtp"] = "ESMTPA", ["esmtps"] = "ESMTPS", ["esmtpsa"] = "ESMTPSA", ["lmtp"] = "LMTP", ["lsmtp"] = "LMTP",
        ["lmtpa"] = "LMTPA", ["lmtps"] = "LMTPS", ["lmtpsa"] = "LMTPSA", ["http"] = "HTTP", ["httpu"] = "HTTP",
        ["httprest"] = "HTTP", ["https"] = "HTTPS", ["imap"] = "IMAP", ["pop3"] = "POP3", ["mms"] = "MMS",
        ["local"] = "Local", ["socket"] = "Local", ["stdin"] = "Local",
        ["utf8smtp"] = "UTF8SMTP", ["utf8smtpa"] = "UTF8SMTPA", ["utf8smtps"] = "UTF8SMTPS", ["utf8smtpsa"] = "UTF8SMTPSA",
        ["utf8lmtp"] = "UTF8LMTP", ["utf8lmtpa"] = "UTF8LMTPA", ["utf8lmtps"] = "UTF8LMTPS", ["utf8lmtpsa"] = "UTF8LMTPSA",
    };

    /// <summary>Protocol words that may be written with dashes ("local-esmtp", "esmtp-tls").</summary>
    private static readonly Dictionary<string, string> DashedProtocols = new()
    {
        ["localesmtp"] = "ESMTP", ["localesmtps"] = "ESMTPS", ["localbsmtp"] = "SMTP", ["esmtptls"] = "ESMTPS",
    };

    private static readonly Dictionary<string, string> ExactTls = new()
    {
        ["ssl2"] = "SSLv2", ["ssl3"] = "SSLv3", ["sslv2"] = "SSLv2", ["sslv3"] = "SSLv3", ["tls1"] = "TLSv1_0", ["tlsv1"] = "TLSv1_0",
    };

    private static readonly string[] CipherPrefixes = ["rsa", "ecd", "dhe", "psk", "srp", "aes", "des", "tls"];

    private static List<Token> Tokenize(string s, out int dateStart)
    {
        var tokens = new List<Token>();
        int depth = 0, brackets = 0;
        bool quoted = false, inDate = false;
        dateStart = -1;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')' or '<' or '>' or '[' or ']' or ';' or '=' or '/' or '"' or ',' || c == ':' && inDate)
            {
                if (!quoted)
                {
                    // Bracket depth follows the comment depth it opens in, as trace fields nest "[ip]" inside "( )".
                    if (c == '(') depth++;
                    else if (c == ')') depth = Math.Max(0, depth - 1);
                    else if (c == '[') brackets = depth + 1;
                    else if (c == ']') brackets = Math.Max(0, depth - 1);
                }
                if (c == '"') quoted = !quoted;
                if (c == ';' && depth == 0 && !inDate) { inDate = true; dateStart = i + 1; }
                tokens.Add(new Token(Kind.Punct, c.ToString(), 0, false));
                i++;
                continue;
            }
            var start = i;
            var wordDepth = depth;
            var inBrackets = brackets > 0;
            var colons = 0;
            var colonBreaks = false; // a ':' ends the word unless it can still be an IPv6 address
            while (i < s.Length)
            {
                c = s[i];
                if (char.IsWhiteSpace(c) || c is '(' or ')' or '<' or '>' or '[' or ']' or ';' or '=' or '/' or '"' or ',') break;
                if (c == ':')
                {
                    if (inDate || colonBreaks || colons == 7) break;
                    colons++;
                }
                else if (!char.IsAsciiHexDigit(c)) colonBreaks = true;
                i++;
            }
            tokens.Add(Classify(s[start..i], wordDepth, inBrackets));
            if (i < s.Length && s[i] == ':')
            {
                // A ':' that cannot join the word ("IPv6:", "TLS-1.0:RSA_AES_256_CBC_SHA").
                tokens.Add(new Token(Kind.Punct, ":", 0, false));
                i++;
            }
        }
        return tokens;
    }

    private static Token Classify(string w, int depth, bool inBrackets)
    {
        int alpha = 0, digit = 0, hex = 0, dot = 0, at = 0, other = 0, colon = 0, plus = 0, minus = 0, utf = 0, upper = 0, underscore = 0;
        foreach (var c in w)
        {
            if (char.IsAsciiDigit(c)) digit++;
            else if (char.IsAsciiHexDigit(c)) hex++;
            else if (char.IsAsciiLetter(c)) alpha++;
            else if (c == '.') dot++;
            else if (c == '@') at++;
            else if (c == ':') colon++;
            else if (c == '+') plus++;
            else if (c == '-') minus++;
            else if (c >= 0x7f) utf++;
            else { other++; if (c == '_') underscore++; }
            if (char.IsAsciiLetterUpper(c)) upper++;
        }
        Token Make(Kind kind, string? value = null, string? text = null) => new(kind, text ?? w, depth, inBrackets, value);
        var pureNumeric = alpha == 0 && at == 0 && other == 0 && plus == 0 && minus == 0 && utf == 0;

        if (pureNumeric && hex == 0 && dot == 3 && colon == 0 && digit is >= 4 and <= 12)
            return IPAddress.TryParse(w, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && w.Split('.').All(p => p.Length is >= 1 and <= 3)
                ? Make(Kind.Ip, text: v4.ToString()) : Make(Kind.Text);
        if (pureNumeric && (dot == 0 && colon >= 2 && (hex is >= 1 and <= 32 || digit is >= 1 and <= 32)
                            || digit is >= 4 and <= 12 && hex == 4 && dot == 3 && colon == 3))
            return IPAddress.TryParse(w, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? Make(Kind.Ip, text: v6.ToString()) : Make(Kind.Text);
        if (alpha == 0 && hex == 0 && dot == 0 && at == 0 && other == 0 && colon == 0 && utf == 0 && digit > 0 && plus + minus <= 1)
            return long.TryParse(w, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? Make(Kind.Integer) : Make(Kind.Text);
        if (at == 1 && alpha + hex > 0) return Make(Kind.Email);

        var key = string.Concat(w.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant();
        var extras = w.Length - key.Length;
        if (extras == 0)
        {
            if (Keywords.TryGetValue(key, out var kind)) return Make(kind, kind == Kind.Greeting ? key.ToUpperInvariant() : null);
            if (Protocols.TryGetValue(key, out var protocol)) return Make(Kind.Protocol, protocol);
            if (ExactTls.TryGetValue(key, out var tls)) return Make(Kind.TlsVersion, tls);
        }
        if (extras == minus && DashedProtocols.TryGetValue(key, out var dashed)) return Make(Kind.Protocol, dashed);
        if (at == 0 && colon == 0 && plus == 0 && utf == 0 && TlsVersionName(key, minus) is { } version) return Make(Kind.TlsVersion, version);

        if (alpha + hex > 0 && dot > 0 && at == 0 && other == 0 && colon == 0 && plus == 0) return Make(Kind.Domain);
        if (alpha + hex == upper && w.Length > 6 && underscore + minus > 0 && digit > 0 && dot == 0 && at == 0 && plus == 0
            && other == underscore && colon == 0 && utf == 0 && key.Length >= 3 && CipherPrefixes.Contains(key[..3]))
            return Make(Kind.Cipher);
        return Make(Kind.Text);
    }

    /// <summary>"TLSv1.2", "TLS1_3", "tls-1.0", "DTLSv1.2" → TLSv1_2, TLSv1_3, TLSv1_0, DTLSv1_2.</summary>
    private static string? TlsVersionName(string key, int minus)
    {
        var dtls = key.StartsWith("dtls", StringComparison.Ordinal);
        var rest = dtls ? key[4..] : key.StartsWith("tls", StringComparison.Ordinal) ? key[3..] : null;
        if (rest is null) return null;
        if (rest.StartsWith('v')) { if (minus > 0) return null; rest = rest[1..]; }
        else if (dtls && minus > 0) return null;
        if (rest.Length != 2 || rest[0] != '1' || rest[1] is not ('0' or '1' or '2' or '3')) return null;
        if (dtls && rest[1] == '1') return null;
        return $"{(dtls ? "DTLS" : "TLS")}v1_{rest[1]}";
    }
}

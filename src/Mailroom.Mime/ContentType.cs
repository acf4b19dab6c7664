using System.Text;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>A parameter of Content-Type or Content-Disposition, after RFC 2231 joining and decoding.</summary>
public sealed record MimeParameter(string Name, string Value, string? Language = null);

/// <summary>
/// A parsed Content-Type (or Content-Disposition, whose disposition lands in <see cref="MediaType"/>):
/// type and subtype lower-cased, parameter names lower-cased, values decoded from RFC 2231 and RFC 2047.
/// </summary>
public sealed class ContentType
{
    public ContentType(string mediaType, string? mediaSubtype, IReadOnlyList<MimeParameter>? parameters = null)
    {
        MediaType = mediaType;
        MediaSubtype = mediaSubtype;
        Parameters = parameters ?? [];
    }

    public static ContentType TextPlain { get; } = new("text", "plain");

    public static ContentType MessageRfc822 { get; } = new("message", "rfc822");

    public string MediaType { get; }

    public string? MediaSubtype { get; }

    /// <summary>"type/subtype", or the bare type when there is no subtype.</summary>
    public string MimeType => MediaSubtype is null ? MediaType : MediaType + "/" + MediaSubtype;

    public IReadOnlyList<MimeParameter> Parameters { get; }

    public string? this[string name] => Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    public string? Charset => this["charset"];

    public string? Boundary => this["boundary"];

    public bool Is(string type, string? subtype = null) =>
        string.Equals(MediaType, type, StringComparison.OrdinalIgnoreCase)
        && (subtype is null || string.Equals(MediaSubtype, subtype, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => MimeType;

    /// <summary>Parses a header value; null when it names no type at all.</summary>
    public static ContentType? Parse(string value)
    {
        var s = value.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        var i = 0;
        SkipSpaceAndComments(s, ref i);
        var typeStart = i;
        while (i < s.Length && s[i] is not ('/' or ';' or ' ' or '\t' or '(')) i++;
        var type = s[typeStart..i];
        SkipSpaceAndComments(s, ref i);
        string? subtype = null;
        if (i < s.Length && s[i] == '/')
        {
            i++;
            SkipSpaceAndComments(s, ref i);
            var subStart = i;
            while (i < s.Length && s[i] is not (';' or ' ' or '\t' or '(')) i++;
            subtype = i > subStart ? s[subStart..i].ToLowerInvariant() : null;
        }
        if (type.Length == 0) return null;
        // Parameters follow, normally after ';'; a missing ';' (a folded "multipart/mixed\r\n\tboundary=x") is tolerated.
        SkipSpaceAndComments(s, ref i);
        if (i < s.Length && s[i] != ';' && !StartsParameter(s, i)) while (i < s.Length && s[i] != ';') i++;
        return new ContentType(type.ToLowerInvariant(), subtype, ParseParameters(s, i));
    }

    private static void SkipSpaceAndComments(string s, ref int i)
    {
        while (i < s.Length)
        {
            if (s[i] is ' ' or '\t') i++;
            else if (s[i] == '(')
            {
                var depth = 0;
                for (; i < s.Length; i++)
                {
                    if (s[i] == '\\') { i++; continue; }
                    if (s[i] == '(') depth++;
                    else if (s[i] == ')' && --depth == 0) { i++; break; }
                }
            }
            else break;
        }
    }

    /// <summary>Whether a "token=" starts at <paramref name="i"/>.</summary>
    private static bool StartsParameter(string s, int i)
    {
        var start = i;
        while (i < s.Length && s[i] > ' ' && s[i] < 127 && s[i] is not ('=' or ';' or '"' or '(' or ')' or ',' or '/' or '<' or '>' or '@' or ':' or '[' or ']' or '?' or '\\')) i++;
        return i > start && i < s.Length && s[i] == '=';
    }

    private sealed record RawParameter(string Name, int Section, bool Extended, string Value);

    private static List<MimeParameter> ParseParameters(string s, int i)
    {
        var raw = new List<RawParameter>();
        while (i < s.Length)
        {
            if (s[i] == ';') { i++; continue; }
            SkipSpaceAndComments(s, ref i);
            var nameStart = i;
            while (i < s.Length && s[i] is not ('=' or ';')) i++;
            var name = s[nameStart..i].Trim(' ', '\t');
            if (i >= s.Length || s[i] == ';') continue;
            i++; // '='
            while (i < s.Length && s[i] is ' ' or '\t') i++;
            string value;
            var quoted = i < s.Length && s[i] == '"';
            if (quoted)
            {
                var sb = new StringBuilder();
                for (i++; i < s.Length && s[i] != '"'; i++)
                {
                    if (s[i] == '\\' && i + 1 < s.Length) i++;
                    sb.Append(s[i]);
                }
                if (i < s.Length) i++;
                value = sb.ToString();
                SkipSpaceAndComments(s, ref i);
                if (!StartsParameter(s, i)) while (i < s.Length && s[i] != ';') i++;
            }
            else
            {
                // A value runs to ';' or a comment, or to blanks before "name=" (a parameter whose ';' is missing).
                var valueStart = i;
                while (i < s.Length && s[i] is not (';' or '('))
                {
                    if (s[i] is ' ' or '\t')
                    {
                        var next = i;
                        while (next < s.Length && s[next] is ' ' or '\t') next++;
                        if (StartsParameter(s, next)) break;
                    }
                    i++;
                }
                value = s[valueStart..i].Trim(' ', '\t');
                SkipSpaceAndComments(s, ref i);
                if (!StartsParameter(s, i)) while (i < s.Length && s[i] != ';') i++;
            }
            if (name.Length == 0 || (!quoted && value.Length == 0)) continue;
            if (Split(name.ToLowerInvariant(), value) is { } parameter) raw.Add(parameter);
        }
        return Join(raw);
    }

    /// <summary>
    /// Reads "name", "name*", "name*N" or "name*N*" (RFC 2231 3 and 4). Malformed names are read leniently:
    /// leading '*' and blanks around the parts are ignored, extra '*' after the name or section mark the value
    /// as extended, and a section that is not a number (or too large for one) leaves an unsectioned parameter.
    /// An empty name gives null.
    /// </summary>
    private static RawParameter? Split(string name, string value)
    {
        name = name.Trim().TrimStart('*', ' ', '\t');
        var star = name.IndexOf('*');
        if (star < 0) return name.Length == 0 ? null : new RawParameter(name, -1, false, value);
        var baseName = name[..star].TrimEnd();
        if (baseName.Length == 0) return null;
        var rest = name[(star + 1)..].TrimStart();
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits])) digits++;
        if (digits == 0) return new RawParameter(baseName, -1, rest.Length == 0 || rest[0] == '*', value);
        var after = rest[digits..].TrimStart();
        var extended = after.StartsWith('*');
        return int.TryParse(rest.AsSpan(0, digits), System.Globalization.NumberStyles.None, null, out var section)
            ? new RawParameter(baseName, section, extended, value)
            : new RawParameter(baseName, -1, extended, value);
    }

    /// <summary>
    /// Joins RFC 2231 continuations and decodes charset'language'value forms. A parameter stands where its
    /// unsectioned form or section 0 appears (the first one wins); its other sections are appended in section
    /// order, gaps allowed. Sections with no section 0 form a parameter after the others. A later section that
    /// repeats the charset prefix ("iso-8859-1'...", which RFC 2231 4 gives only to the first) has it removed.
    /// </summary>
    private static List<MimeParameter> Join(List<RawParameter> raw)
    {
        var heads = new List<RawParameter>();
        var sections = new Dictionary<string, List<RawParameter>>();
        var orphans = new List<string>();
        foreach (var p in raw)
        {
            if (p.Section <= 0)
            {
                if (!heads.Any(h => h.Name == p.Name)) heads.Add(p);
                continue;
            }
            if (!sections.TryGetValue(p.Name, out var list)) sections[p.Name] = list = [];
            if (!list.Any(l => l.Section == p.Section)) list.Add(p);
        }
        foreach (var name in sections.Keys)
            if (!heads.Any(h => h.Name == name) && !orphans.Contains(name)) orphans.Add(name);

        var result = new List<MimeParameter>();
        foreach (var head in heads)
            result.Add(Build([head, .. sections.GetValueOrDefault(head.Name, []).OrderBy(r => r.Section)]));
        foreach (var name in orphans)
            result.Add(Build([.. sections[name].OrderBy(r => r.Section)]));
        return result;
    }

    private static MimeParameter Build(List<RawParameter> parts)
    {
        var first = parts[0];
        if (parts.Count == 1 && first.Section < 0)
        {
            if (!first.Extended) return new MimeParameter(first.Name, Rfc2047.DecodeText(first.Value));
            var (cs, lang, body) = SplitExtended(first.Value);
            return new MimeParameter(first.Name, PercentDecode(body, cs), lang);
        }
        string? charset = null, language = null;
        var bytes = new List<byte>();
        for (var k = 0; k < parts.Count; k++)
        {
            var part = parts[k];
            var text = part.Value;
            if (k == 0 && part.Extended) (charset, language, text) = SplitExtended(text);
            else if (k > 0 && part.Extended && charset is { Length: > 0 } && text.StartsWith(charset + "'", StringComparison.OrdinalIgnoreCase))
            {
                text = text[(charset.Length + 1)..];
                var q = text.IndexOf('\'');
                if (q >= 0 && text[..q] == (language ?? "")) text = text[(q + 1)..];
            }
            if (part.Extended) bytes.AddRange(PercentBytes(text));
            else bytes.AddRange(Encoding.UTF8.GetBytes(text));
        }
        var decoded = Charsets.Decode(bytes.ToArray(), charset);
        return new MimeParameter(first.Name, first.Extended ? decoded : Rfc2047.DecodeText(decoded), language);
    }

    private static (string? Charset, string? Language, string Text) SplitExtended(string value)
    {
        var q1 = value.IndexOf('\'');
        var q2 = q1 >= 0 ? value.IndexOf('\'', q1 + 1) : -1;
        if (q2 < 0) return (null, null, value);
        var language = value[(q1 + 1)..q2];
        return (value[..q1], language.Length == 0 ? null : language, value[(q2 + 1)..]);
    }

    private static string PercentDecode(string text, string? charset) => Charsets.Decode(PercentBytes(text), charset);

    private static byte[] PercentBytes(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && Rfc2047.IsHex(text[i + 1]) && Rfc2047.IsHex(text[i + 2]))
            {
                bytes.Add((byte)(Rfc2047.Hex(text[i + 1]) << 4 | Rfc2047.Hex(text[i + 2])));
                i += 2;
            }
            else if (text[i] < 128) bytes.Add((byte)text[i]);
            else bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
        }
        return [.. bytes];
    }
}

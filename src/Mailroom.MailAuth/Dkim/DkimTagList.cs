namespace Mailroom.MailAuth.Dkim;

/// <summary>The tag=value lists of DKIM-Signature fields and key records (RFC 6376 §3.2).</summary>
internal static class DkimTagList
{
    /// <summary>Tags by name (case-sensitive, as the RFC says); null when the syntax is wrong or a tag repeats.</summary>
    public static Dictionary<string, string>? Parse(string text)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var specs = text.Split(';');
        for (var i = 0; i < specs.Length; i++)
        {
            var spec = Trim(specs[i]);
            if (spec.Length == 0)
            {
                if (i == specs.Length - 1)
                    break; // a trailing ';' is allowed
                return null;
            }
            var equals = spec.IndexOf('=');
            if (equals <= 0)
                return null;
            var name = Trim(spec[..equals]);
            if (!IsTagName(name) || !tags.TryAdd(name, Trim(spec[(equals + 1)..])))
                return null;
        }
        return tags;
    }

    /// <summary>A value with all folding whitespace removed, as base64 tags (b, bh, p) are read.</summary>
    public static string WithoutWhitespace(string value) =>
        string.Concat(value.Where(c => c is not (' ' or '\t' or '\r' or '\n')));

    private static string Trim(string text) => text.Trim(' ', '\t', '\r', '\n');

    private static bool IsTagName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

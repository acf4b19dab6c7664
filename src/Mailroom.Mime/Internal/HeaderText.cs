namespace Mailroom.Mime.Internal;

internal static class HeaderText
{
    /// <summary>
    /// Removes folding as RFC 5322 2.2.3 says: only the line breaks go, the whitespace that begins each
    /// continuation line stays (a fold and its indent are not one space). The ends are trimmed.
    /// </summary>
    public static string Unfold(string raw)
    {
        if (raw.AsSpan().IndexOfAny('\r', '\n') >= 0)
            raw = string.Create(raw.Length - raw.AsSpan().Count('\r') - raw.AsSpan().Count('\n'), raw, static (span, source) =>
            {
                var n = 0;
                foreach (var c in source)
                    if (c is not ('\r' or '\n')) span[n++] = c;
            });
        return raw.Trim(' ', '\t');
    }
}

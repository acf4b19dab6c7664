using System.Text;

namespace Mailroom.MailAuth.Dkim;

/// <summary>The canonicalization algorithms of RFC 6376 §3.4.</summary>
public enum DkimCanonicalization
{
    Simple,
    Relaxed,
}

internal static class Canonicalizer
{
    public static string Name(DkimCanonicalization canonicalization) =>
        canonicalization == DkimCanonicalization.Simple ? "simple" : "relaxed";

    public static bool TryParse(string text, out DkimCanonicalization canonicalization)
    {
        canonicalization = text.Equals("relaxed", StringComparison.OrdinalIgnoreCase)
            ? DkimCanonicalization.Relaxed
            : DkimCanonicalization.Simple;
        return text.Equals("simple", StringComparison.OrdinalIgnoreCase)
            || text.Equals("relaxed", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// §3.4.1 simple: the field unchanged. §3.4.2 relaxed: lower-case name, unfolded, runs of WSP as one
    /// SP, no WSP around the colon or at the end. CRLF appended unless <paramref name="terminate"/> is false
    /// (the DKIM-Signature field itself is hashed without one).
    /// </summary>
    public static string Header(HeaderField field, DkimCanonicalization canonicalization, bool terminate = true)
    {
        var crlf = terminate ? "\r\n" : "";
        if (canonicalization == DkimCanonicalization.Simple)
            return field.Raw + crlf;
        var value = CollapseWhitespace(field.Value.Replace("\r\n", "")).Trim(' ');
        return field.Name.ToLowerInvariant() + ":" + value + crlf;
    }

    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is ' ' or '\t')
            {
                if (builder.Length == 0 || builder[^1] != ' ')
                    builder.Append(' ');
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// §3.4.3 simple: trailing empty lines removed, an empty body becomes one CRLF. §3.4.4 relaxed: also
    /// WSP at line ends removed and runs of WSP made one SP; an empty body stays empty.
    /// </summary>
    public static byte[] Body(ReadOnlySpan<byte> body, DkimCanonicalization canonicalization)
    {
        var output = new MemoryStream(body.Length + 2);
        var pendingEmptyLines = 0;
        var position = 0;
        while (position < body.Length)
        {
            var newline = body[position..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? body.Length : position + newline;
            var contentEnd = lineEnd > position && body[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            var line = body[position..contentEnd];
            position = newline < 0 ? body.Length : lineEnd + 1;

            var canonical = canonicalization == DkimCanonicalization.Relaxed ? RelaxLine(line) : line.ToArray();
            if (canonical.Length == 0)
            {
                pendingEmptyLines++;
                continue;
            }
            for (; pendingEmptyLines > 0; pendingEmptyLines--)
                output.Write("\r\n"u8);
            output.Write(canonical);
            output.Write("\r\n"u8);
        }
        if (output.Length == 0 && canonicalization == DkimCanonicalization.Simple)
            output.Write("\r\n"u8);
        return output.ToArray();
    }

    private static byte[] RelaxLine(ReadOnlySpan<byte> line)
    {
        var output = new List<byte>(line.Length);
        var inWhitespace = false;
        foreach (var b in line)
        {
            if (b is (byte)' ' or (byte)'\t')
            {
                inWhitespace = true;
                continue;
            }
            if (inWhitespace)
                output.Add((byte)' ');
            inWhitespace = false;
            output.Add(b);
        }
        return [.. output];
    }
}

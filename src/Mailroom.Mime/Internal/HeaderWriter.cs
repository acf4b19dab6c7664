using System.Text;

namespace Mailroom.Mime.Internal;

/// <summary>Writes header fields folded at whitespace before the line limit, with CRLF line ends.</summary>
internal static class HeaderWriter
{
    public static void Write(StringBuilder output, string name, string value, int maxLine)
    {
        var line = new StringBuilder(name).Append(':');
        var words = value.Split(' ');
        var first = true;
        foreach (var word in words)
        {
            if (!first && line.Length + 1 + word.Length > maxLine && line.ToString().Trim().Length > name.Length + 1)
            {
                output.Append(line).Append("\r\n");
                line.Clear();
            }
            line.Append(' ').Append(word);
            first = false;
        }
        output.Append(line).Append("\r\n");
    }

    public static void RejectLineBreaks(string? value, string field)
    {
        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException($"{field} must not contain CR or LF.", field);
    }

    public static bool IsAscii(string s) => Ascii.IsValid(s);

    /// <summary>Unstructured text: kept when ASCII (or SMTPUTF8), else RFC 2047 words.</summary>
    public static string Text(string value, bool smtpUtf8) => IsAscii(value) || smtpUtf8 ? value : Rfc2047.EncodeText(value);

    public static string Mailbox(MailboxAddress address, bool smtpUtf8)
    {
        if (address.Name is null) return address.Address;
        return Phrase(address.Name, smtpUtf8) + " <" + address.Address + ">";
    }

    private static string Phrase(string name, bool smtpUtf8)
    {
        if (!IsAscii(name) && !smtpUtf8) return Rfc2047.EncodeText(name, phrase: true);
        var atomOnly = name.All(c => char.IsLetterOrDigit(c) || c is ' ' or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '/' or '=' or '?' or '^' or '_' or '`' or '{' or '|' or '}' or '~' || c > 127);
        return atomOnly && !name.Contains("=?", StringComparison.Ordinal) ? name : "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A parameter: plain or quoted when ASCII and short, else RFC 2231 (UTF-8, percent-encoded, split into sections).</summary>
    public static string Parameter(string name, string value)
    {
        if (IsAscii(value) && value.Length <= 60)
            return $"{name}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b < 128 && (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'-' or (byte)'_')) encoded.Append((char)b);
            else encoded.Append('%').Append(b.ToString("X2"));
        }
        var text = "utf-8''" + encoded;
        if (text.Length <= 60) return $"{name}*={text}";
        var sections = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var n = Math.Min(60, text.Length - i);
            // Never split a %XX escape.
            if (i + n < text.Length && text[i + n - 1] == '%') n--;
            else if (i + n < text.Length && text[i + n - 2] == '%') n -= 2;
            sections.Add($"{name}*{sections.Count}*={text.Substring(i, n)}");
            i += n;
        }
        return string.Join("; ", sections);
    }
}

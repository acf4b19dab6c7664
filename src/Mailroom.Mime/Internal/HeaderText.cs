using System.Text;

namespace Mailroom.Mime.Internal;

internal static class HeaderText
{
    /// <summary>Removes folding: a line break with the whitespace around it becomes one space; the ends are trimmed.</summary>
    public static string Unfold(string raw)
    {
        if (raw.IndexOfAny(['\r', '\n']) < 0) return raw.Trim(' ', '\t', '\r', '\n');
        var sb = new StringBuilder(raw.Length);
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            if (c is '\r' or '\n')
            {
                while (sb.Length > 0 && sb[^1] is ' ' or '\t') sb.Length--;
                while (i < raw.Length && raw[i] is '\r' or '\n' or ' ' or '\t') i++;
                if (sb.Length > 0 && i < raw.Length) sb.Append(' ');
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString().Trim(' ', '\t');
    }
}

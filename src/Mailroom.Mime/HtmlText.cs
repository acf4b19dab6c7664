using System.Net;
using System.Text;

namespace Mailroom.Mime;

/// <summary>Plain text from html (for messages with no text part) and short previews.</summary>
public static class HtmlText
{
    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "hr",
    };

    public static string ToPlainText(string html)
    {
        var sb = new StringBuilder(html.Length);
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c != '<')
            {
                var next = html.IndexOf('<', i);
                if (next < 0) next = html.Length;
                sb.Append(WebUtility.HtmlDecode(html[i..next]));
                i = next;
                continue;
            }
            if (html.AsSpan(i).StartsWith("<!--"))
            {
                var endComment = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = endComment < 0 ? html.Length : endComment + 3;
                continue;
            }
            var close = html.IndexOf('>', i);
            if (close < 0) break;
            var tag = html[(i + 1)..close].TrimStart('/').Split([' ', '\t', '\r', '\n', '/'], 2)[0];
            i = close + 1;
            if (tag.Equals("script", StringComparison.OrdinalIgnoreCase) || tag.Equals("style", StringComparison.OrdinalIgnoreCase)
                || tag.Equals("head", StringComparison.OrdinalIgnoreCase) || tag.Equals("title", StringComparison.OrdinalIgnoreCase))
            {
                if (html[close - 1] == '/' ) continue;
                var end = html.IndexOf("</" + tag, i, StringComparison.OrdinalIgnoreCase);
                if (end >= 0)
                {
                    var endClose = html.IndexOf('>', end);
                    i = endClose < 0 ? html.Length : endClose + 1;
                }
                continue;
            }
            if (BlockTags.Contains(tag)) sb.Append('\n');
        }
        return CollapseBlankLines(sb.ToString());
    }

    private static string CollapseBlankLines(string text)
    {
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => string.Join(' ', l.Split([' ', '\t', '\u00a0'], StringSplitOptions.RemoveEmptyEntries)));
        var sb = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            if (line.Length == 0) { blank++; continue; }
            if (sb.Length > 0) sb.Append(blank > 0 ? "\n\n" : "\n");
            sb.Append(line);
            blank = 0;
        }
        return sb.ToString();
    }

    /// <summary>The first <paramref name="length"/> characters with all whitespace runs collapsed to one space.</summary>
    public static string Preview(string text, int length)
    {
        var sb = new StringBuilder(Math.Min(text.Length, length + 1));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) sb.Append(' ');
            space = false;
            if (sb.Length >= length) break;
            sb.Append(c);
        }
        if (sb.Length > 0 && char.IsHighSurrogate(sb[^1])) sb.Length--;
        return sb.ToString().TrimEnd();
    }
}

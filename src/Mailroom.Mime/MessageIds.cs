namespace Mailroom.Mime;

/// <summary>Message-ID, In-Reply-To, References and Content-ID values: ids without angle brackets.</summary>
public static class MessageIds
{
    public static IReadOnlyList<string> Parse(string value)
    {
        var ids = new List<string>();
        var i = 0;
        if (!value.Contains('<'))
        {
            foreach (var word in value.Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries)) ids.Add(word);
            return ids;
        }
        while ((i = value.IndexOf('<', i)) >= 0)
        {
            var close = value.IndexOf('>', i + 1);
            if (close < 0) close = value.Length;
            var id = value[(i + 1)..close].Trim();
            if (id.Length > 0) ids.Add(id);
            i = close;
        }
        return ids;
    }

    public static string? ParseFirst(string value)
    {
        var ids = Parse(value);
        return ids.Count > 0 ? ids[0] : null;
    }
}

using System.Text;

namespace Mailroom.Core.Messages;

/// <summary>
/// How search sees a message, the same when a message is stored and when a search is read: an address as its bare
/// form in lower case, and text as words, the runs of letters and digits in lower case (everything else separates).
/// </summary>
public static class MessageSearchTerms
{
    /// <summary>The most words a subject or text criterion may hold.</summary>
    public const int MaxWords = 16;

    /// <summary>
    /// The address between the first <c>&lt;</c> and the next <c>&gt;</c>, or the whole value, trimmed, in ASCII lower case (as SQLite's
    /// <c>lower()</c>, so that migration 0016 filled the index the same way); null when nothing is left.
    /// </summary>
    public static string? Address(string? value)
    {
        if (value is null) return null;
        var open = value.IndexOf('<');
        var close = open < 0 ? -1 : value.IndexOf('>', open + 1);
        var address = (close > open ? value[(open + 1)..close] : value).Trim();
        return address.Length == 0 ? null : AsciiLower(address);
    }

    /// <summary>The words of <paramref name="text"/>, each once, in the order they first appear.</summary>
    public static IReadOnlyList<string> Words(string? text)
    {
        var words = new List<string>();
        if (text is null) return words;
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }
            if (word.Length > 0 && !words.Contains(word.ToString())) words.Add(word.ToString());
            word.Clear();
        }
        return words;
    }

    private static string AsciiLower(string value) => string.Create(value.Length, value, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++) span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
    });
}

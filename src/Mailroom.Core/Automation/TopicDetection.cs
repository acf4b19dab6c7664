using System.Text.RegularExpressions;
using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

/// <summary>
/// Which of the organization's active topics a message is on (Mailroom's own rules, docs/automation.md): a keyword found
/// in the subject or text ignoring case; a phrase found there as whole words; a pattern (regular expression) matching
/// the subject or text; or a sender rule naming the sender's address or its <c>@domain</c>.
/// </summary>
public static class TopicDetection
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
    private const int MaxCachedRegexes = 10_000;
    /// <summary>Compiled once per phrase or pattern: the same few run on every message.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> Regexes = new();

    private static Regex Cached(string pattern)
    {
        if (Regexes.TryGetValue(pattern, out var regex)) return regex;
        regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
        if (Regexes.Count < MaxCachedRegexes) Regexes[pattern] = regex;
        return regex;
    }

    public static List<DetectedTopic> Detect(IEnumerable<Topic> topics, string? subject, string? text, string? senderAddress)
    {
        var found = new List<DetectedTopic>();
        foreach (var topic in topics)
            if (IsOn(topic, subject ?? "", text ?? "", senderAddress)) found.Add(new DetectedTopic(topic.Id, topic.Name));
        return found;
    }

    private static bool IsOn(Topic topic, string subject, string text, string? sender)
    {
        if (topic.Keywords.Any(k => k.Length > 0 && (subject.Contains(k, StringComparison.OrdinalIgnoreCase) || text.Contains(k, StringComparison.OrdinalIgnoreCase))))
            return true;
        foreach (var phrase in topic.Rules.Phrases.Where(p => p.Length > 0))
        {
            var whole = Cached(@"(?<!\w)" + Regex.Escape(phrase) + @"(?!\w)");
            if (Matches(whole, subject) || Matches(whole, text)) return true;
        }
        foreach (var pattern in topic.Rules.Patterns)
        {
            var regex = Cached(pattern);
            if (Matches(regex, subject) || Matches(regex, text)) return true;
        }
        if (sender is not null)
            foreach (var rule in topic.Rules.Senders)
                if (rule.StartsWith('@') ? sender.EndsWith(rule, StringComparison.OrdinalIgnoreCase) : string.Equals(sender, rule, StringComparison.OrdinalIgnoreCase))
                    return true;
        return false;
    }

    private static bool Matches(Regex regex, string input)
    {
        try { return regex.IsMatch(input); }
        catch (RegexMatchTimeoutException) { return false; }
    }

    /// <summary>Checks a topic's rules on save: every pattern compiles, every sender rule is an address or <c>@domain</c>.</summary>
    public static void Check(Topic topic)
    {
        Common.Check.Required("name", topic.Name, 100);
        Common.Check.Line("description", topic.Description, 500);
        Common.Check.AtMost("keywords", topic.Keywords.Count, 200, "keywords");
        foreach (var pattern in topic.Rules.Patterns)
        {
            try { _ = new Regex(pattern, RegexOptions.None, RegexTimeout); }
            catch (ArgumentException e) { throw new ValidationException("patterns", $"'{pattern}' is not a regular expression: {e.Message}"); }
        }
        foreach (var sender in topic.Rules.Senders)
            if (sender.Length < 2 || (!sender.StartsWith('@') && !sender.Contains('@')))
                throw new ValidationException("senders", $"'{sender}' is neither an address nor @domain");
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

/// <summary>What a message offers the rules: its sender, recipients, subject, text, labels, spam score, topics and authentication.</summary>
public sealed record RuleFacts(string? Sender, IReadOnlyList<string> Recipients, string? Subject, string? Text, IReadOnlyList<string> Labels,
    double? SpamScore, string? SpamVerdict, IReadOnlyList<string> Topics, string? Spf, string? Dkim, string? Dmarc);

/// <summary>
/// Mailroom's rule language for <c>conditionalRules</c> (the spec leaves it open; docs/automation.md): a JSON object that is
/// either a condition <c>{"field", "op", "value"}</c> or a group <c>{"all": [...]}</c>, <c>{"any": [...]}</c>, <c>{"not": {...}}</c>
/// (a group may carry all and any together: both must hold). Text comparisons ignore case; a list field (recipient, labels,
/// topic) holds when one of its items does, and a negative operator when none does the positive one.
/// </summary>
public sealed class ConditionalRules
{
    public static readonly IReadOnlyList<string> Fields = ["sender", "recipient", "subject", "text", "labels", "spamScore", "spamVerdict", "topic", "spf", "dkim", "dmarc"];
    public static readonly IReadOnlyList<string> Operators = ["equals", "notEquals", "contains", "notContains", "startsWith", "endsWith", "matches", "gt", "gte", "lt", "lte", "exists"];
    private const int MaxDepth = 16;
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Func<RuleFacts, bool> _test;

    private ConditionalRules(Func<RuleFacts, bool> test) => _test = test;

    public static readonly ConditionalRules Always = new(_ => true);

    /// <summary>Reads and checks rules; an empty text is <see cref="Always"/>.</summary>
    /// <exception cref="ValidationException">On <c>conditional_rules</c>, naming what is wrong.</exception>
    public static ConditionalRules Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Always;
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw Invalid($"is not JSON: {e.Message}"); }
        return new ConditionalRules(Node(root, "$", 0));
    }

    public bool Holds(RuleFacts facts) => _test(facts);

    private static Func<RuleFacts, bool> Node(JsonNode? node, string path, int depth)
    {
        if (depth > MaxDepth) throw Invalid($"{path}: nested deeper than {MaxDepth} levels");
        if (node is not JsonObject obj) throw Invalid($"{path}: must be an object");
        if (obj.ContainsKey("field")) return Condition(obj, path);
        var parts = new List<Func<RuleFacts, bool>>();
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "all":
                    var all = Items(value, $"{path}.all", depth);
                    parts.Add(f => all.All(t => t(f)));
                    break;
                case "any":
                    var any = Items(value, $"{path}.any", depth);
                    parts.Add(f => any.Any(t => t(f)));
                    break;
                case "not":
                    var inner = Node(value, $"{path}.not", depth + 1);
                    parts.Add(f => !inner(f));
                    break;
                default:
                    throw Invalid($"{path}: unknown member '{key}' (a group has all, any or not; a condition has field, op and value)");
            }
        }
        if (parts.Count == 0) throw Invalid($"{path}: an empty group");
        return f => parts.All(p => p(f));
    }

    private static List<Func<RuleFacts, bool>> Items(JsonNode? value, string path, int depth) =>
        value is JsonArray array && array.Count > 0
            ? array.Select((item, i) => Node(item, $"{path}[{i}]", depth + 1)).ToList()
            : throw Invalid($"{path}: must be a non-empty array");

    private static Func<RuleFacts, bool> Condition(JsonObject obj, string path)
    {
        foreach (var (key, _) in obj)
            if (key is not ("field" or "op" or "value")) throw Invalid($"{path}: unknown member '{key}' in a condition");
        var field = Fields.FirstOrDefault(f => string.Equals(f, Text(obj["field"]), StringComparison.OrdinalIgnoreCase))
                    ?? throw Invalid($"{path}.field: must be one of {string.Join(", ", Fields)}");
        var op = Operators.FirstOrDefault(o => string.Equals(o, Text(obj["op"]), StringComparison.OrdinalIgnoreCase))
                 ?? throw Invalid($"{path}.op: must be one of {string.Join(", ", Operators)}");
        var value = obj["value"];
        if (op == "exists") return f => Values(field, f).Any(v => !string.IsNullOrEmpty(v));
        if (op is "gt" or "gte" or "lt" or "lte")
        {
            if (field != "spamScore") throw Invalid($"{path}.op: {op} compares numbers; only spamScore is a number");
            if (value is not JsonValue number || !number.TryGetValue<double>(out var limit)) throw Invalid($"{path}.value: must be a number for {op}");
            return f => f.SpamScore is { } score && op switch
            {
                "gt" => score > limit,
                "gte" => score >= limit,
                "lt" => score < limit,
                _ => score <= limit,
            };
        }
        var expected = value is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number
            ? v.ToString()
            : throw Invalid($"{path}.value: must be a string or a number for {op}");
        Func<string, bool> test = op switch
        {
            "equals" or "notEquals" => s => string.Equals(s, expected, StringComparison.OrdinalIgnoreCase),
            "contains" or "notContains" => s => s.Contains(expected, StringComparison.OrdinalIgnoreCase),
            "startsWith" => s => s.StartsWith(expected, StringComparison.OrdinalIgnoreCase),
            "endsWith" => s => s.EndsWith(expected, StringComparison.OrdinalIgnoreCase),
            _ => Pattern(expected, $"{path}.value"),
        };
        var negative = op is "notEquals" or "notContains";
        return f =>
        {
            var found = Values(field, f).Any(s => s is not null && test(s));
            return negative ? !found : found;
        };
    }

    private static Func<string, bool> Pattern(string pattern, string path)
    {
        Regex regex;
        try { regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout); }
        catch (ArgumentException e) { throw Invalid($"{path}: not a regular expression: {e.Message}"); }
        return s =>
        {
            try { return regex.IsMatch(s); }
            catch (RegexMatchTimeoutException) { return false; }
        };
    }

    private static IEnumerable<string?> Values(string field, RuleFacts f) => field switch
    {
        "sender" => One(f.Sender),
        "recipient" => f.Recipients.Select(r => (string?)r),
        "subject" => One(f.Subject),
        "text" => One(f.Text),
        "labels" => f.Labels.Select(l => (string?)l),
        "spamScore" => One(f.SpamScore?.ToString(CultureInfo.InvariantCulture)),
        "spamVerdict" => One(f.SpamVerdict),
        "topic" => f.Topics.Select(t => (string?)t),
        "spf" => One(f.Spf),
        "dkim" => One(f.Dkim),
        _ => One(f.Dmarc),
    };

    private static IEnumerable<string?> One(string? value) => [value];

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static ValidationException Invalid(string detail) => new("conditional_rules", detail);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Messages;
using Mailroom.Mime;

namespace Mailroom.Core.Automation;

/// <summary>
/// What an action sees of the mail it runs on: the message and thread, the sender (end user), the channel, the spam
/// verdict, the topics and the values earlier actions mapped. It gives the rules their facts and the templates their
/// context (docs/automation.md lists the names).
/// </summary>
public sealed class ActionContext
{
    public required string OrgId { get; init; }
    public Message? Message { get; init; }
    public string? ThreadId { get; init; }
    public string? InboxId { get; init; }
    public string ThreadStatus { get; init; } = ThreadStatuses.Open;
    public string? ThreadSubject { get; init; }
    public bool ThreadSpam { get; set; }
    public long? ChannelId { get; init; }
    public string? ChannelAddress { get; init; }
    public SpamVerdict? Spam { get; set; }
    public IReadOnlyList<DetectedTopic> Topics { get; set; } = [];
    public required Dictionary<string, string> Values { get; init; }
    /// <summary>The arguments of a function-tool invocation.</summary>
    public JsonElement? Arguments { get; init; }
    public string? JobId { get; init; }

    private MailboxAddress? _endUser;
    private bool _endUserRead;

    /// <summary>The sender, read once from the message's From.</summary>
    public MailboxAddress? EndUser
    {
        get
        {
            if (_endUserRead) return _endUser;
            _endUserRead = true;
            return _endUser = Message?.From is { } from && MailboxAddress.TryParse(from, out var address) ? address : null;
        }
    }

    public RuleFacts Facts() => new(EndUser?.Address ?? Message?.From, Message?.To.Concat(Message.Cc).ToList() ?? [], Message?.Subject, Message?.Text,
        Message?.Labels ?? [], Spam?.Score, Spam?.Verdict, Topics.Select(t => t.Name).ToList(), Message?.Authentication?.Spf,
        Message?.Authentication?.Dkim, Message?.Authentication?.Dmarc);

    /// <summary>The template context: endUser, message, ticket, channel, spam, topics, values (and each value by its own name), arguments.</summary>
    public Dictionary<string, object?> TemplateModel()
    {
        var model = new Dictionary<string, object?>();
        foreach (var (name, value) in Values) model[name] = value;
        model["values"] = Values.ToDictionary(v => v.Key, v => (object?)v.Value);
        model["endUser"] = new Dictionary<string, object?> { ["email"] = EndUser?.Address, ["name"] = EndUser?.Name };
        model["message"] = new Dictionary<string, object?>
        {
            ["id"] = Message?.Id, ["subject"] = Message?.Subject, ["text"] = Message?.Text, ["from"] = Message?.From,
            ["to"] = Message is null ? null : string.Join(", ", Message.To),
        };
        model["ticket"] = new Dictionary<string, object?> { ["id"] = ThreadId, ["status"] = ThreadStatus, ["subject"] = ThreadSubject };
        model["channel"] = new Dictionary<string, object?> { ["id"] = ChannelId, ["address"] = ChannelAddress };
        model["spam"] = new Dictionary<string, object?>
        {
            ["verdict"] = Spam?.Verdict, ["score"] = Spam?.Score?.ToString(CultureInfo.InvariantCulture),
        };
        model["topics"] = string.Join(", ", Topics.Select(t => t.Name));
        if (Arguments is { } arguments) model["arguments"] = Plain(JsonNode.Parse(arguments.GetRawText()));
        return model;
    }

    /// <summary>A value at a dotted path of the template context (<c>message.subject</c>), as text; for fieldMapping.</summary>
    public string? Lookup(string path)
    {
        object? current = TemplateModel();
        foreach (var part in path.Split('.'))
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetValue(part, out current)) return null;
        }
        return current switch
        {
            null => null,
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => JsonSerializer.Serialize(current),
        };
    }

    private static object? Plain(JsonNode? node) => node switch
    {
        JsonObject obj => obj.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray array => array.Select(Plain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        },
        _ => null,
    };

    /// <summary>A value in a JSON answer at a path like <c>$.choices.0.text</c> or <c>answer</c>; objects and arrays as JSON.</summary>
    public static string? Select(JsonNode? root, string path)
    {
        var current = root;
        foreach (var part in path.TrimStart('$').TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current switch
            {
                JsonObject obj => obj[part],
                JsonArray array when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count => array[i],
                _ => null,
            };
            if (current is null) return null;
        }
        return current is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : current?.ToJsonString();
    }
}

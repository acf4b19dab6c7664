using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Identities;

namespace Mailroom.Server.Dialects.IdentitiesV1;

/// <summary>
/// A request body read field by field, so that a PATCH tells an absent field (unchanged) from a null one (cleared), and
/// each wrong type names its field.
/// </summary>
public sealed class V1Body(JsonObject json)
{
    public bool Has(string name) => json.ContainsKey(name);

    public string? String(string name) => json[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw new ValidationException(name, "must be a string"),
    };

    public int? Int(string name) => json[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) => number,
        _ => throw new ValidationException(name, "must be a whole number"),
    };

    public bool? Bool(string name) => json[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        _ => throw new ValidationException(name, "must be true or false"),
    };

    public IReadOnlyList<string?>? Strings(string name) => json[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        JsonArray array => array.Select((item, i) => item is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>() : throw new ValidationException($"{name}[{i}]", "must be a string")).ToList(),
        _ => throw new ValidationException(name, "must be an array of strings"),
    };

    public JsonElement? Element(string name) => json[name] is { } node ? JsonSerializer.SerializeToElement(node) : null;

    /// <summary><c>{"type": "...", "config": {"key": "value"}}</c>; numbers in config (a Telegram chat id) are taken as their text.</summary>
    public ApprovalChannelConfig? Channel(string name)
    {
        if (json[name] is null) return null;
        if (json[name] is not JsonObject channel) throw new ValidationException(name, "must be an object with type and config");
        var type = new V1Body(channel).String("type") is { Length: > 0 } t ? t : throw new ValidationException(name + ".type", "is required");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (channel["config"] is JsonObject config)
        {
            foreach (var (key, node) in config)
            {
                values[key] = node switch
                {
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                    JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
                    _ => throw new ValidationException($"{name}.config.{key}", "must be a string"),
                };
            }
        }
        else if (channel["config"] is not null)
        {
            throw new ValidationException(name + ".config", "must be an object");
        }
        return new ApprovalChannelConfig(type, values);
    }

    public Change<T> Change<T>(string name, Func<string, T> read) => Has(name) ? Core.Identities.Change<T>.To(read(name)) : Core.Identities.Change<T>.Keep;

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

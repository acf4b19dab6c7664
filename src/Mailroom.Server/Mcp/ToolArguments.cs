using System.Globalization;
using System.Text.Json;
using Mailroom.Core.Common;
using Mailroom.Mime;

namespace Mailroom.Server.Mcp;

/// <summary>
/// A tool call's arguments, read by name. Every refusal is a <see cref="ValidationException"/> naming the argument, so the
/// model learns which one to fix; an argument the tool does not take is refused too, rather than silently ignored.
/// </summary>
public sealed class ToolArguments
{
    private readonly IDictionary<string, JsonElement> _values;

    /// <param name="known">The tool's arguments; null when the tool checks them itself (see <see cref="Whole"/>).</param>
    public ToolArguments(IDictionary<string, JsonElement>? values, IReadOnlyCollection<string>? known)
    {
        _values = values ?? new Dictionary<string, JsonElement>();
        if (known is null) return;
        foreach (var name in _values.Keys)
            if (!known.Contains(name))
                throw new ValidationException(name, known.Count == 0
                    ? "is not an argument of this tool, which takes none"
                    : $"is not an argument of this tool; it takes {string.Join(", ", known)}");
    }

    private JsonElement? Value(string name) =>
        _values.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>Every argument as one JSON object, for a tool whose schema is checked elsewhere.</summary>
    public JsonElement Whole() => JsonSerializer.SerializeToElement(_values);

    public string? String(string name, int maxLength = 1000)
    {
        if (Value(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String) throw new ValidationException(name, "must be a string");
        var text = value.GetString()!;
        if (text.Length > maxLength) throw new ValidationException(name, $"must be at most {maxLength} characters");
        return text;
    }

    public string RequiredString(string name, int maxLength = 1000)
    {
        var text = String(name, maxLength);
        return string.IsNullOrWhiteSpace(text) ? throw new ValidationException(name, "is required") : text;
    }

    /// <summary>An id from another tool's answer: required, one line.</summary>
    public string Id(string name) => Check.Line(name, RequiredString(name, 200))!;

    public bool Bool(string name, bool fallback = false)
    {
        if (Value(name) is not { } value) return fallback;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ValidationException(name, "must be true or false"),
        };
    }

    public int? Integer(string name, int min, int max)
    {
        if (Value(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            throw new ValidationException(name, "must be a whole number");
        if (number < min || number > max) throw new ValidationException(name, $"must be between {min} and {max}");
        return number;
    }

    public List<string?> Strings(string name)
    {
        if (Value(name) is not { } value) return [];
        if (value.ValueKind != JsonValueKind.Array) throw new ValidationException(name, "must be an array of strings");
        return value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String
            ? item.GetString()
            : throw new ValidationException(name, "must be an array of strings")).ToList();
    }

    /// <summary>Email addresses: an array of <c>address</c> or <c>Name &lt;address&gt;</c> strings (one string is taken as one address).</summary>
    public List<MailboxAddress> Addresses(string name, bool required = false)
    {
        var texts = Value(name) is { ValueKind: JsonValueKind.String } single ? [single.GetString()] : Strings(name);
        if (texts.Count > 50) throw new ValidationException(name, "may hold at most 50 addresses");
        var addresses = new List<MailboxAddress>();
        foreach (var text in texts)
        {
            if (text is null || !MailboxAddress.TryParse(text, out var address))
                throw new ValidationException(name, $"'{text}' is not an email address (write it as user@example.com or Name <user@example.com>)");
            addresses.Add(address);
        }
        if (required && addresses.Count == 0) throw new ValidationException(name, "needs at least one email address");
        return addresses;
    }

    public DateTimeOffset? Time(string name)
    {
        var text = String(name, 64);
        if (text is null) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new ValidationException(name, "must be an ISO 8601 date and time, such as 2026-05-01T09:30:00Z");
    }
}

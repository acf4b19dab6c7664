using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mailroom.Server.Mcp;

/// <summary>A tool's JSON Schema input, written next to the tool so that its names and descriptions match what the tool reads.</summary>
public sealed class ToolSchema
{
    private readonly JsonObject _properties = new();
    private readonly JsonArray _required = new();
    private JsonElement? _given;

    /// <summary>The arguments the tool takes; null when its schema was given whole and the tool checks its arguments itself.</summary>
    public IReadOnlyCollection<string>? Names => _given is null ? _properties.Select(p => p.Key).ToList() : null;

    /// <summary>A schema written elsewhere (a function-tool action's parameters), served as it is.</summary>
    public static ToolSchema Given(JsonElement schema) => new() { _given = schema };

    private ToolSchema Add(string name, JsonObject schema, string description, bool required)
    {
        schema["description"] = description;
        _properties[name] = schema;
        if (required) _required.Add(name);
        return this;
    }

    public ToolSchema String(string name, string description, bool required = false, int? maxLength = null)
    {
        var schema = new JsonObject { ["type"] = "string" };
        if (maxLength is { } max) schema["maxLength"] = max;
        return Add(name, schema, description, required);
    }

    /// <summary>A string that may also be null, where null means "remove it".</summary>
    public ToolSchema NullableString(string name, string description, bool required = false) =>
        Add(name, new JsonObject { ["type"] = new JsonArray("string", "null") }, description, required);

    public ToolSchema DateTime(string name, string description) =>
        Add(name, new JsonObject { ["type"] = "string", ["format"] = "date-time" }, description, false);

    public ToolSchema Boolean(string name, string description) => Add(name, new JsonObject { ["type"] = "boolean" }, description, false);

    public ToolSchema Integer(string name, string description, int min, int max) =>
        Add(name, new JsonObject { ["type"] = "integer", ["minimum"] = min, ["maximum"] = max }, description, false);

    public ToolSchema Strings(string name, string description, bool required = false, int? maxItems = null)
    {
        var schema = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } };
        if (maxItems is { } max) schema["maxItems"] = max;
        return Add(name, schema, description, required);
    }

    /// <summary>The <c>cursor</c> and <c>limit</c> every list takes.</summary>
    public ToolSchema Paged(string items) => this
        .String("cursor", $"next_cursor from the previous page of {items}; omit for the first page")
        .Integer("limit", $"How many {items} one page holds (default {McpCursor.DefaultLimit})", 1, McpCursor.MaxLimit);

    public JsonElement ToJson()
    {
        if (_given is { } given) return given;
        var schema = new JsonObject { ["type"] = "object", ["properties"] = _properties.DeepClone(), ["additionalProperties"] = false };
        if (_required.Count > 0) schema["required"] = _required.DeepClone();
        return JsonSerializer.SerializeToElement(schema);
    }
}

using System.Text.Json;
using System.Text.Unicode;
using Mailroom.Core.Common;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>
/// Reads JSON request bodies in a dialect's own JSON options; what cannot be read is a field-named validation error.
/// Every body's text is checked once before it is bound (<see cref="CheckText"/>), so no dialect, route or field
/// sees invalid Unicode, a NUL or a key given twice.
/// </summary>
public static class RequestBody
{
    /// <summary>Reads a JSON object; an empty or non-object body is an error about <c>body</c>.</summary>
    /// <remarks>The body is read whole (the route's size cap bounds it: over it, the server answers 413) and parsed from memory.</remarks>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options) where T : class
    {
        if (request.ContentLength == 0) throw new ValidationException("body", "a JSON object is required");
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        var json = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        T? body;
        try
        {
            CheckText(json);
            body = JsonSerializer.Deserialize<T>(json, options);
        }
        catch (JsonException e) { throw FieldError(typeof(T), e, options); }
        return body ?? throw new ValidationException("body", "a JSON object is required");
    }

    /// <summary>The field a JSON error is about, from its path (<c>$.field</c>), or the body as a whole.</summary>
    public static ValidationException FieldOf(JsonException json) =>
        json.Path is { Length: > 2 } path ? new ValidationException(path[2..], "is not valid") : new ValidationException("body", "is not a valid JSON object");

    /// <summary>
    /// Walks the JSON once and refuses, naming the field (<c>subject</c>, <c>attachments[0].filename</c>,
    /// <c>headers.X-Tag</c>): a string or key that is not valid Unicode (bytes that are not UTF-8, a lone surrogate
    /// escape such as <c>\ud800</c>), a NUL character (it ends C strings, PostgreSQL refuses it and it would go
    /// out raw in a header), and an object key given twice (which of the two counts would be a guess). A problem in
    /// a key names the object that holds it. Malformed JSON is left to the reader's own <see cref="JsonException"/>.
    /// </summary>
    private static void CheckText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var containers = new Stack<Container>();
        while (reader.Read())
        {
            var top = containers.Count > 0 ? containers.Peek() : null;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    containers.Push(new Container(top?.ValuePath() ?? "", reader.TokenType == JsonTokenType.StartArray));
                    top?.Passed();
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    containers.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    if (Problem(ref reader, out var key) is { } keyProblem)
                        throw new ValidationException(top!.Path.Length == 0 ? "body" : top.Path, keyProblem);
                    if (!top!.Keys!.Add(key)) throw new ValidationException(top.PathOf(key), "is given twice");
                    top.Property = key;
                    break;
                case JsonTokenType.String:
                    if (Problem(ref reader, out _) is { } problem) throw new ValidationException(top?.ValuePath() ?? "body", problem);
                    top?.Passed();
                    break;
                default:
                    top?.Passed();
                    break;
            }
        }
    }

    /// <summary>What is wrong with a string or key token, or null; <paramref name="text"/> is decoded only where it must be.</summary>
    private static string? Problem(ref Utf8JsonReader reader, out string text)
    {
        text = "";
        // Unescaped value text is checked in place, without making a string of it; the reader itself refuses raw
        // control characters in strings, so a NUL can only arrive escaped. Keys are decoded: they are compared.
        if (!reader.ValueIsEscaped && reader.TokenType == JsonTokenType.String)
            return Utf8.IsValid(reader.ValueSpan) ? null : "is not valid Unicode text";
        try { text = reader.GetString()!; }
        catch (InvalidOperationException) { return "is not valid Unicode text"; }
        return text.Contains('\0') ? "must not contain NUL characters" : null;
    }

    /// <summary>An object or array being walked: its path, and the keys seen (objects) or the index at hand (arrays).</summary>
    private sealed class Container(string path, bool isArray)
    {
        private int _index;

        public string Path { get; } = path;
        public HashSet<string>? Keys { get; } = isArray ? null : new(StringComparer.Ordinal);
        public string Property { get; set; } = "";

        public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

        /// <summary>The path of the value at hand; built only when it is needed (an error, a nested container).</summary>
        public string ValuePath() => Keys is null ? $"{Path}[{_index}]" : PathOf(Property);

        /// <summary>Moves past the value at hand: an array to its next index.</summary>
        public void Passed()
        {
            if (Keys is null) _index++;
        }
    }

    /// <summary>Names the field a JSON error is about and the type it should have had.</summary>
    private static ValidationException FieldError(Type target, JsonException e, JsonSerializerOptions options)
    {
        var field = e.Path is { Length: > 2 } path ? path[2..].Split('.', '[')[0] : null;
        var property = field is null ? null : options.GetTypeInfo(target).Properties.FirstOrDefault(p => p.Name == field);
        if (property is null) return new ValidationException("body", "is not a valid JSON object");
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var expected = type == typeof(string) ? "must be a string"
            : type == typeof(bool) ? "must be true or false"
            : type == typeof(int) || type == typeof(long) ? "must be a whole number"
            : type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? "must be an array"
            : "has the wrong type";
        return new ValidationException(field!, expected);
    }
}

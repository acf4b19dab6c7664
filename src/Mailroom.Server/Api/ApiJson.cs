using System.Text.Json;
using Mailroom.Core.Common;

namespace Mailroom.Server.Api;

/// <summary>Reads and writes the v0 wire format (<see cref="WireJson"/>).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = WireJson.Options;

    /// <summary>Reads a JSON request body; an empty or non-object body is a field-named validation error.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request) where T : class
    {
        if (request.ContentLength == 0) throw new Core.Common.ValidationException("body", "a JSON object is required");
        T? body;
        try { body = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted); }
        catch (JsonException e) { throw FieldError(typeof(T), e); }
        return body ?? throw new Core.Common.ValidationException("body", "a JSON object is required");
    }

    /// <summary>Names the field a JSON error is about and the type it should have had.</summary>
    private static Core.Common.ValidationException FieldError(Type target, JsonException e)
    {
        var field = e.Path is { Length: > 2 } path ? path[2..].Split('.', '[')[0] : null;
        var property = field is null ? null : Options.GetTypeInfo(target).Properties.FirstOrDefault(p => p.Name == field);
        if (property is null) return new Core.Common.ValidationException("body", "is not a valid JSON object");
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var expected = type == typeof(string) ? "must be a string"
            : type == typeof(bool) ? "must be true or false"
            : type == typeof(int) || type == typeof(long) ? "must be a whole number"
            : type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? "must be an array"
            : "has the wrong type";
        return new Core.Common.ValidationException(field!, expected);
    }
}

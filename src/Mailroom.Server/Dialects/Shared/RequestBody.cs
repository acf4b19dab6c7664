using System.Text.Json;
using Mailroom.Core.Common;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>Reads JSON request bodies in a dialect's own JSON options; what cannot be read is a field-named validation error.</summary>
public static class RequestBody
{
    /// <summary>Reads a JSON object; an empty or non-object body is an error about <c>body</c>.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options) where T : class
    {
        if (request.ContentLength == 0) throw new ValidationException("body", "a JSON object is required");
        T? body;
        try { body = await JsonSerializer.DeserializeAsync<T>(request.Body, options, request.HttpContext.RequestAborted); }
        catch (JsonException e) { throw FieldError(typeof(T), e, options); }
        return body ?? throw new ValidationException("body", "a JSON object is required");
    }

    /// <summary>The field a JSON error is about, from its path (<c>$.field</c>), or the body as a whole.</summary>
    public static ValidationException FieldOf(JsonException json) =>
        json.Path is { Length: > 2 } path ? new ValidationException(path[2..], "is not valid") : new ValidationException("body", "is not a valid JSON object");

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

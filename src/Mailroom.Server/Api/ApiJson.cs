using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mailroom.Server.Api;

/// <summary>The v0 wire format: snake_case names, nulls written, times as <c>2025-01-15T10:30:00.000Z</c>.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            // Responses go to API clients, not into HTML: keep '+' and accents readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new UtcMillisecondsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

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

    private sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}

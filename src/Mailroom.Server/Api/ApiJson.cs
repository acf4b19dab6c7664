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
        var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
        return body ?? throw new Core.Common.ValidationException("body", "a JSON object is required");
    }

    private sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.IdentitiesV1;

/// <summary>Mounts the identities and approvals dialect at /v1: identities, domains, tasks, drafts and threads.</summary>
public sealed class IdentitiesV1Dialect : IApiDialect
{
    public const string Prefix = "/v1";

    public string PathPrefix => Prefix;
    public IDialectErrors Errors { get; } = new V1Errors();

    public void AddServices(IServiceCollection services, IConfiguration configuration) { }

    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup(Prefix)
            .AddEndpointFilter<ApiKeyAuthentication>()
            .RequireRateLimiting(ApiRateLimiting.PerKeyPolicy)
            .ExcludeFromDescription();
        v1.MapIdentities();
        v1.MapIdentityDomains();
        v1.MapTasks();
        v1.MapDrafts();
        v1.MapIdentityThreads();
    }
}

/// <summary>The dialect's JSON: snake_case, nulls written, times as <c>2025-01-15T10:30:00.000Z</c>.</summary>
public static class V1Json
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new UtcMilliseconds());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class UtcMilliseconds : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}

public static class V1Routes
{
    /// <summary>The list envelope: <c>{"data": [...], "total", "limit", "offset"}</c>.</summary>
    public sealed record ListResponse<T>(IReadOnlyList<T> Data, long Total, int Limit, long Offset);

    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static IResult Ok<T>(T body, int status = StatusCodes.Status200OK) => Results.Json(body, V1Json.Options, statusCode: status);

    public static Task<JsonObject> ReadAsync(HttpRequest request) => RequestBody.ReadAsync<JsonObject>(request, V1Json.Options);

    /// <summary>Reads <c>limit</c> (1 to 100, default 20) and <c>offset</c> (from 0).</summary>
    public static PageRequest Page(string? limit, string? offset)
    {
        var size = Whole("limit", limit) ?? DefaultLimit;
        var skip = Whole("offset", offset) ?? 0;
        if (size < 1 || size > MaxLimit) throw new ValidationException("limit", $"must be between 1 and {MaxLimit}");
        return new PageRequest(skip, (int)size);
    }

    public static ListResponse<TOut> List<TIn, TOut>(Page<TIn> page, PageRequest request, Func<TIn, TOut> map) =>
        new(page.Items.Select(map).ToList(), page.Total, request.Limit, request.Offset);

    public static bool? Flag(string field, string? value) => value switch
    {
        null or "" => null,
        "true" => true,
        "false" => false,
        _ => throw new ValidationException(field, "must be true or false"),
    };

    /// <summary>Who acted through the API: the key, so that a decision shows which agent or person took it.</summary>
    public static string Actor(HttpContext http) => "api_key:" + Caller.Of(http).Key.Id;

    private static long? Whole(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= int.MaxValue
            ? number
            : throw new ValidationException(field, "must be a whole number");
    }
}

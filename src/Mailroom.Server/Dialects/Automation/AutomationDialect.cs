using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mailroom.Core.Automation;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

/// <summary>
/// The automation dialect (specs/automation-actions.txt): <c>/api/Actions</c>, <c>/api/TopicActions</c>, <c>/api/HookActions</c>,
/// and Mailroom's own <c>/api/Topics</c>, <c>/api/Channels</c>, <c>/api/ActionRuns</c>. camelCase JSON, integer ids, ASP.NET
/// problem details for errors (docs/automation.md).
/// </summary>
public sealed class AutomationDialect : IApiDialect
{
    public const string Prefix = "/api";

    public string PathPrefix => Prefix;
    public IDialectErrors Errors { get; } = new AutomationErrors();

    public void AddServices(IServiceCollection services, IConfiguration configuration) { }

    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix)
            .AddEndpointFilter<ApiKeyAuthentication>()
            .RequireRateLimiting(ApiRateLimiting.PerKeyPolicy);
        api.MapActions();
        api.MapTopicActions();
        api.MapHookActions();
        api.MapTopics();
        api.MapChannels();
        api.MapActionRuns();
    }
}

/// <summary>The JSON of the dialect: camelCase (<c>actionID</c>), nulls written, enums none, times ISO 8601.</summary>
public static class AutomationJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static IResult Ok<T>(T body) => Results.Json(body, Options);
    public static IResult Created<T>(string location, T body) => new CreatedAt<T>(location, body);

    public static Task<T> ReadAsync<T>(HttpRequest request) where T : class => RequestBody.ReadAsync<T>(request, Options);

    /// <summary>201 with a Location header and the body.</summary>
    private sealed class CreatedAt<T>(string location, T body) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.Location = location;
            return Results.Json(body, Options, statusCode: StatusCodes.Status201Created).ExecuteAsync(http);
        }
    }
}

/// <summary>The vendor's list envelope.</summary>
public sealed record PaginatedResult<T>(IReadOnlyList<T> Items, long TotalCount, int PageNumber, int PageSize, long TotalPages);

/// <summary><c>pageNumber</c> (from 1, default 1), <c>pageSize</c> (default 10, clamped to 1..100), <c>sortBy</c>, <c>sortOrder</c> asc|desc.</summary>
public readonly record struct Paging(int Number, int Size)
{
    public PageRequest Request => new((Number - 1L) * Size, Size);

    public static Paging From(HttpRequest request)
    {
        var number = Parse("pageNumber", request.Query["pageNumber"]) ?? 1;
        var size = Parse("pageSize", request.Query["pageSize"]) ?? 10;
        return new Paging(Math.Max(1, number), Math.Clamp(size, 1, 100));
    }

    public PaginatedResult<TOut> Result<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) =>
        new(page.Items.Select(map).ToList(), page.Total, Number, Size, (page.Total + Size - 1) / Size);

    /// <summary>The sort field, named as the dialect spells it, mapped to Core's name; the direction from sortOrder.</summary>
    public static ListOrder Order(HttpRequest request, string fallback, IReadOnlyDictionary<string, string> fields)
    {
        var sortBy = request.Query["sortBy"].ToString();
        var field = sortBy.Length == 0 ? fields[fallback]
            : fields.FirstOrDefault(f => string.Equals(f.Key, sortBy, StringComparison.OrdinalIgnoreCase)).Value
              ?? throw new ValidationException("sort_by", $"must be one of {string.Join(", ", fields.Keys)}");
        var descending = request.Query["sortOrder"].ToString().ToLowerInvariant() switch
        {
            "" or "asc" => false,
            "desc" => true,
            _ => throw new ValidationException("sort_order", "must be asc or desc"),
        };
        return new ListOrder(field, descending);
    }

    public static int? Parse(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new ValidationException(field, "must be a whole number");
    }

    public static long? ParseId(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ValidationException(field, "must be a whole number");
    }

    public static bool? ParseBool(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return bool.TryParse(value, out var b) ? b : throw new ValidationException(field, "must be true or false");
    }
}

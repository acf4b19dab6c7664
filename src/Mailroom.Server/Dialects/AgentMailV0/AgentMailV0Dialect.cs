using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>Mounts the agent mail v0 dialect at /api/v0: authenticated, rate limited, one file per resource.</summary>
public sealed class AgentMailV0Dialect : IApiDialect
{
    public const string Prefix = "/api/v0";

    public string PathPrefix => Prefix;
    public IDialectErrors Errors { get; } = new V0Errors();

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SendRequestReader>();
        // v0 owns the webhooks and the live stream, so it writes the events' payloads.
        services.AddSingleton<IEventPayloadWriter, V0EventPayloads>();
        services.AddOpenApi("v0");
    }

    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        var v0 = app.MapGroup(Prefix)
            .AddEndpointFilter<ApiKeyAuthentication>()
            .AddEndpointFilter<V0ScopeFilter>()
            .RequireRateLimiting(ApiRateLimiting.PerKeyPolicy)
            .WithGroupName("v0");
        v0.MapOrganizations();
        v0.MapInboxes();
        v0.MapDomains();
        v0.MapWebhooks();
        v0.MapApiKeys();
        v0.MapMessages();
        v0.MapSending(app.ServiceProvider.GetRequiredService<RequestBodyLimits>().Mail);
        v0.MapThreads();
        v0.MapEventStream();
    }
}

/// <summary>The v0 spelling of lists: <c>page</c> (from 1) and <c>page_size</c> (1 to 100) in, <c>{data, total, page, page_size}</c> out.</summary>
public readonly record struct V0Page(int Number, int Size)
{
    public const int DefaultSize = 20;
    public const int MaxSize = 100;

    /// <summary>Any page number is a slice: one past the last holds nothing (in 64 bits the product cannot overflow).</summary>
    public PageRequest Request => new((Number - 1L) * Size, Size);

    /// <summary>Validates raw query values; each refusal names its parameter.</summary>
    public static V0Page From(string? page, string? pageSize)
    {
        var number = Parse("page", page) ?? 1;
        var size = Parse("page_size", pageSize) ?? DefaultSize;
        if (number < 1) throw new ValidationException("page", "must be 1 or greater");
        if (size < 1 || size > MaxSize) throw new ValidationException("page_size", $"must be between 1 and {MaxSize}");
        return new V0Page(number, size);
    }

    public V0Routes.ListResponse<TOut> List<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) => new(page.Items.Select(map).ToList(), page.Total, Number, Size);

    private static int? Parse(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ValidationException(field, "must be a whole number");
    }
}

/// <summary>
/// Mailroom's own <c>spam</c> query parameter of the inbox lists (not in v0's contract): absent or <c>false</c> leaves the
/// threads marked spam out, <c>true</c> lists only them, like a Spam folder.
/// </summary>
public static class V0SpamView
{
    public static bool From(string? spam) => spam switch
    {
        null or "" or "false" => false,
        "true" => true,
        _ => throw new ValidationException("spam", "must be true or false"),
    };
}

public static class V0Routes
{
    /// <summary>The list envelope: <c>{"data": [...], "total", "page", "page_size"}</c>.</summary>
    public sealed record ListResponse<T>(IReadOnlyList<T> Data, long Total, int Page, int PageSize);

    public static IResult Ok<T>(T body) => Results.Json(body, V0Json.Options);
    public static IResult Created<T>(T body) => Results.Json(body, V0Json.Options, statusCode: StatusCodes.Status201Created);

    public static Task<T> ReadAsync<T>(HttpRequest request) where T : class => RequestBody.ReadAsync<T>(request, V0Json.Options);

    /// <summary>
    /// Answers a missing resource as a plain result: v0 always answered these routes' 404 so, without the no-store
    /// headers the exception path adds, and its contract keeps every header.
    /// </summary>
    public static async Task<IResult> MissingAsResult(Func<Task<IResult>> call)
    {
        try { return await call(); }
        catch (NotFoundException missing) { return V0Errors.NotFound(missing.What); }
    }
}

using Mailroom.Core.Common;

namespace Mailroom.Server.Api.V0;

/// <summary>Mounts the agent mail v0 dialect at /api/v0: authenticated, rate limited, one file per resource.</summary>
public static class V0Routes
{
    public const string Prefix = "/api/v0";

    public static IEndpointRouteBuilder MapApiV0(this IEndpointRouteBuilder app)
    {
        var v0 = app.MapGroup(Prefix)
            .AddEndpointFilter<ApiKeyAuthentication>()
            .RequireRateLimiting(ApiRateLimiting.PerKeyPolicy)
            .WithGroupName("v0");
        v0.MapOrganizations();
        v0.MapInboxes();
        v0.MapDomains();
        v0.MapWebhooks();
        v0.MapApiKeys();
        v0.MapMessages();
        v0.MapSending();
        v0.MapThreads();
        v0.MapEventStream();
        Files.AttachmentLinks.MapDownloads(app);
        return app;
    }

    /// <summary>The list envelope: <c>{"data": [...], "total", "page", "page_size"}</c>.</summary>
    public sealed record ListResponse<T>(IReadOnlyList<T> Data, long Total, int Page, int PageSize);

    public static ListResponse<TOut> ToList<TIn, TOut>(this Page<TIn> page, Func<TIn, TOut> map) =>
        new(page.Items.Select(map).ToList(), page.Total, page.Number, page.Size);

    public static IResult Ok<T>(T body) => Results.Json(body, ApiJson.Options);
    public static IResult Created<T>(T body) => Results.Json(body, ApiJson.Options, statusCode: StatusCodes.Status201Created);
}

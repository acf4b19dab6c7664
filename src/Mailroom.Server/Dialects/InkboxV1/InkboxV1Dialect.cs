using System.Globalization;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.InkboxV1;

/// <summary>
/// The agent handles + channels dialect at /api/v1: identities named by handle, their mailbox and phone number,
/// mailboxes by address, phone numbers with their SMS. Ids are UUIDs (the same 128 bits as Mailroom's own ids),
/// errors <c>{"detail": ...}</c>, keys in <c>Authorization: Bearer</c>, <c>X-API-Key</c> or <c>X-Service-Token</c>.
/// </summary>
public sealed class InkboxV1Dialect : IApiDialect
{
    public const string Prefix = "/api/v1";

    public string PathPrefix => Prefix;
    public IDialectErrors Errors { get; } = new InkboxErrors();

    public const string OpenApiDocument = "inkbox-v1";

    public void AddServices(IServiceCollection services, IConfiguration configuration) => services.AddOpenApi(OpenApiDocument);

    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup(Prefix)
            .AddEndpointFilter<ApiKeyOrServiceTokenAuthentication>()
            .RequireRateLimiting(ApiRateLimiting.PerKeyPolicy)
            .WithGroupName(OpenApiDocument);
        v1.MapIdentities();
        v1.MapMailboxes();
        v1.MapPhoneNumbers();
    }
}

public static class InkboxRoutes
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static IResult Ok<T>(T body) => Results.Json(body, InkboxJson.Options);
    public static IResult Created<T>(T body) => Results.Json(body, InkboxJson.Options, statusCode: StatusCodes.Status201Created);

    public static Task<T> ReadAsync<T>(HttpRequest request) where T : class => RequestBody.ReadAsync<T>(request, InkboxJson.Options);

    /// <summary><c>limit</c> (1 to 100, default 50) and <c>offset</c> (from 0) as a page request.</summary>
    public static PageRequest Page(string? limit, string? offset)
    {
        var size = Number("limit", limit) ?? DefaultLimit;
        var skip = Number("offset", offset) ?? 0;
        if (size < 1 || size > MaxLimit) throw new ValidationException("limit", $"must be between 1 and {MaxLimit}");
        if (skip < 0) throw new ValidationException("offset", "must be 0 or greater");
        return new PageRequest(skip, (int)size);
    }

    /// <summary>A UUID field or path part as the Mailroom id it stands for; missing or malformed is a validation error (422).</summary>
    public static string IdOf(string field, string prefix, string? uuid) =>
        string.IsNullOrEmpty(uuid) ? throw new ValidationException(field, "is required")
        : Guid.TryParse(uuid, out var value) ? Ids.FromUuid(prefix, value)
        : throw new ValidationException(field, "must be a UUID");

    /// <summary>A Mailroom id as the UUID this dialect shows.</summary>
    public static Guid Uuid(string id) => Ids.ToUuid(id) ?? throw new InvalidOperationException($"{id} has no UUID form");

    private static long? Number(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ValidationException(field, "must be a whole number");
    }
}

using System.Text.Json.Serialization;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

public static class ApiKeyEndpoints
{
    public sealed record CreateApiKeyRequest(string? Name, List<string?>? Scopes);
    // scopes is a Mailroom addition: written only for a key limited to scopes, so a full-access key's bytes stay v0's.
    public sealed record ApiKeyResponse(string KeyId, string Name, string Prefix, DateTimeOffset? UsedAt, DateTimeOffset CreatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Scopes = null);
    public sealed record CreatedApiKeyResponse(string KeyId, string Name, string Prefix, string Key, DateTimeOffset? UsedAt, DateTimeOffset CreatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Scopes = null);

    public static ApiKeyResponse ToResponse(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.UsedAt, k.CreatedAt, ScopesOf(k));

    private static IReadOnlyList<string>? ScopesOf(ApiKey k) => k.IsFullAccess ? null : k.GrantedScopes;

    public static void MapApiKeys(this RouteGroupBuilder v0)
    {
        var keys = v0.MapGroup("/api-keys");

        keys.MapPost("/", async (HttpContext http, ApiKeyService service) =>
        {
            var body = await V0Routes.ReadAsync<CreateApiKeyRequest>(http.Request);
            var (key, token) = await service.CreateAsync(Caller.Of(http).OrgId, body.Name, body.Scopes, http.RequestAborted);
            return V0Routes.Created(new CreatedApiKeyResponse(key.Id, key.Name, key.Prefix, token, key.UsedAt, key.CreatedAt, ScopesOf(key)));
        }).Accepts<CreateApiKeyRequest>("application/json").Produces<CreatedApiKeyResponse>(201).Produces<ApiError>(400);

        keys.MapGet("/", async (HttpContext http, IApiKeyRepository repository, string? page, string? page_size) =>
        {
            var paging = V0Page.From(page, page_size);
            var list = await repository.ListAsync(Caller.Of(http).OrgId, paging.Request, http.RequestAborted);
            return V0Routes.Ok(paging.List(list, ToResponse));
        }).Produces<V0Routes.ListResponse<ApiKeyResponse>>();

        keys.MapDelete("/{keyId}", async (HttpContext http, ApiKeyService service, string keyId) =>
            await service.DeleteAsync(Caller.Of(http).OrgId, keyId, http.RequestAborted)
                ? Results.NoContent()
                : V0Errors.NotFound("api key"))
            .Produces(204).Produces<ApiError>(404).Produces<ApiError>(409);
    }
}

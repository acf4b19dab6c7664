using Mailroom.Core.ApiKeys;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>Requires <c>Authorization: Bearer &lt;key&gt;</c> on every route of a group; 401 otherwise.</summary>
public class ApiKeyAuthentication(ApiKeyService keys, ApiDialects dialects) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var token = TokenOf(http.Request);
        if (token is null)
            return Unauthorized(http, RequestRefusal.MissingApiKey);
        var key = await keys.AuthenticateAsync(token, http.RequestAborted);
        if (key is null)
            return Unauthorized(http, RequestRefusal.InvalidApiKey);
        http.Features.Set(new Caller(key));
        return await next(context);
    }

    /// <summary>Where this group's callers present their key.</summary>
    protected virtual string? TokenOf(HttpRequest request) => BearerToken(request);

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private IResult Unauthorized(HttpContext http, RequestRefusal refusal)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return dialects.ErrorsFor(http.Request.Path).Refusal(http, refusal, StatusCodes.Status401Unauthorized);
    }
}

/// <summary>
/// For dialects whose vendor also takes the key in <c>X-API-Key</c> or <c>X-Service-Token</c>: a bearer token first,
/// then either header.
/// </summary>
public sealed class ApiKeyOrServiceTokenAuthentication(ApiKeyService keys, ApiDialects dialects) : ApiKeyAuthentication(keys, dialects)
{
    protected override string? TokenOf(HttpRequest request) => BearerToken(request) ?? HeaderToken(request);

    /// <summary>The key in <c>X-API-Key</c> or else <c>X-Service-Token</c> (also what the rate limit counts by).</summary>
    public static string? HeaderToken(HttpRequest request) => HeaderToken(request, "X-API-Key") ?? HeaderToken(request, "X-Service-Token");

    private static string? HeaderToken(HttpRequest request, string header) =>
        request.Headers[header].ToString().Trim() is { Length: > 0 } token ? token : null;
}

using Mailroom.Core.ApiKeys;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>Requires <c>Authorization: Bearer &lt;key&gt;</c> on every route of a group; 401 otherwise.</summary>
public sealed class ApiKeyAuthentication(ApiKeyService keys, ApiDialects dialects) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var token = BearerToken(http.Request);
        if (token is null)
            return Unauthorized(http, RequestRefusal.MissingApiKey);
        var key = await keys.AuthenticateAsync(token, http.RequestAborted);
        if (key is null)
            return Unauthorized(http, RequestRefusal.InvalidApiKey);
        http.Features.Set(new Caller(key));
        return await next(context);
    }

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

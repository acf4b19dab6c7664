using Mailroom.Core.ApiKeys;

namespace Mailroom.Server.Api;

/// <summary>Requires <c>Authorization: Bearer &lt;key&gt;</c> on every route of a group; 401 otherwise.</summary>
public sealed class ApiKeyAuthentication(ApiKeyService keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var token = BearerToken(http.Request);
        if (token is null)
            return Unauthorized(http, "Authorization: a 'Bearer <api key>' header is required");
        var key = await keys.AuthenticateAsync(token, http.RequestAborted);
        if (key is null)
            return Unauthorized(http, "Authorization: the API key is not valid or has been revoked");
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

    private static IResult Unauthorized(HttpContext http, string message)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiError.Result(StatusCodes.Status401Unauthorized, "UnauthorizedError", message);
    }
}

using Mailroom.Core.ApiKeys;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>Refuses (403, in the dialect's shape) a key that lacks a scope; runs after <see cref="ApiKeyAuthentication"/>.</summary>
public sealed class RequiredScope(string scope) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!Caller.Of(http).Key.Allows(scope))
            return ApiDialects.ErrorsOf(http).Refusal(http, RequestRefusal.Other, StatusCodes.Status403Forbidden,
                $"the API key lacks the '{scope}' scope");
        return await next(context);
    }
}

public static class RequiredScopeExtensions
{
    /// <summary>Only keys that allow <paramref name="scope"/> (full-access keys allow all) reach these routes.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new RequiredScope(scope));
}

using Mailroom.Core.ApiKeys;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>
/// The v0 routes predate scopes: a key limited to scopes may read there with <c>read:threads</c> and do nothing else (a
/// v0 send would bypass approval; managing keys would let it mint a full-access key). Full-access keys are unaffected.
/// </summary>
public sealed class V0ScopeFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = Caller.Of(http).Key;
        if (!key.IsFullAccess)
        {
            var reading = HttpMethods.IsGet(http.Request.Method) && !http.Request.Path.StartsWithSegments(AgentMailV0Dialect.Prefix + "/api-keys");
            if (!reading) throw new ScopeMissingException(ApiKeyScopes.Full);
            if (!key.Allows(ApiKeyScopes.ReadThreads)) throw new ScopeMissingException(ApiKeyScopes.ReadThreads);
        }
        return next(context);
    }
}

using Mailroom.Core.ApiKeys;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>What a key limited to scopes may do; a key without scopes (full access) passes every check.</summary>
public static class ScopeCheck
{
    /// <summary>Refuses the request (403 in the dialect's shape) unless the caller's key allows <paramref name="scope"/>.</summary>
    public static void Require(HttpContext http, string scope)
    {
        if (!Caller.Of(http).Key.Allows(scope)) throw new ScopeMissingException(scope);
    }

    /// <summary>Refuses the request unless the key allows one of <paramref name="scopes"/>.</summary>
    public static void RequireAny(HttpContext http, params string[] scopes)
    {
        var key = Caller.Of(http).Key;
        if (!scopes.Any(key.Allows)) throw new ScopeMissingException(string.Join(" or ", scopes));
    }

    /// <summary>Only a full-access key may do it (create or revoke keys: a limited key must not mint a wider one).</summary>
    public static void RequireFullAccess(HttpContext http)
    {
        if (!Caller.Of(http).Key.IsFullAccess) throw new ScopeMissingException(ApiKeyScopes.Full);
    }
}

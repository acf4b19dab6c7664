using System.Security.Claims;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;

namespace Mailroom.Server.Mcp;

/// <summary>
/// The API key behind a tool call: its organization scopes every query, its scopes decide which tools it sees, and a
/// key limited to one inbox sees only that inbox (any other inbox id is not found, as another organization's is).
/// </summary>
/// <param name="Origin">Where the caller reached this server: download links are built on it when <c>Mailroom:PublicUrl</c> is not set.</param>
public sealed record McpCaller(string KeyId, string OrgId, IReadOnlySet<string> Scopes, string? InboxId, string Origin)
{
    private const string OrgClaim = "mailroom:org";
    private const string ScopesClaim = "mailroom:scopes";
    private const string InboxClaim = "mailroom:inbox";
    private const string OriginClaim = "mailroom:origin";
    private const string AuthenticationType = "MailroomApiKey";

    public static McpCaller Of(ApiKey key, string origin) =>
        new(key.Id, key.OrgId, key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(), key.InboxId, origin);

    public bool Grants(string scope) => Scopes.Contains(ApiKeyScopes.Full) || Scopes.Contains(scope);

    /// <summary>An inbox outside the key's reach is not found, exactly like another organization's.</summary>
    public string Reach(string inboxId) =>
        InboxId is null || InboxId == inboxId ? inboxId : throw new NotFoundException("inbox");

    /// <summary>The caller as the HTTP request's user: the SDK binds a session to it, so another key cannot take the session over.</summary>
    public ClaimsPrincipal ToPrincipal()
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, KeyId), new(OrgClaim, OrgId), new(ScopesClaim, string.Join(' ', Scopes)), new(OriginClaim, Origin),
        };
        if (InboxId is not null) claims.Add(new Claim(InboxClaim, InboxId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType));
    }

    public static McpCaller? FromPrincipal(ClaimsPrincipal? user)
    {
        if (user?.Identity?.AuthenticationType != AuthenticationType) return null;
        string Claim(string type) => user.FindFirst(type)?.Value ?? throw new InvalidOperationException($"the MCP caller has no {type} claim");
        return new McpCaller(Claim(ClaimTypes.NameIdentifier), Claim(OrgClaim), Claim(ScopesClaim).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
            user.FindFirst(InboxClaim)?.Value, Claim(OriginClaim));
    }
}

/// <summary>
/// Which scope each tool needs, in the names the identities dialect gives API key scopes. A key with <c>full</c> has
/// them all; sending mail directly, changing labels and deleting threads need <c>full</c>, as on the v0 routes: a key
/// limited to drafts must go through approval.
/// </summary>
public static class McpScopes
{
    public const string ReadThreads = ApiKeyScopes.ReadThreads;
    public const string ManageSettings = ApiKeyScopes.ManageSettings;
    public const string Full = ApiKeyScopes.Full;
}

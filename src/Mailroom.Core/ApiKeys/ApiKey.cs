namespace Mailroom.Core.ApiKeys;

/// <summary>A stored API key: only its SHA-256 hash and a display prefix are kept.</summary>
public sealed class ApiKey
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Name { get; init; }
    public required string Prefix { get; init; }
    public required string KeyHash { get; init; }
    /// <summary>Space-separated scopes: <c>full</c>, <c>settings</c>, <c>read</c>, <c>send</c>.</summary>
    public string Scopes { get; init; } = ApiKeyScopes.Full;
    /// <summary>When set, the key may only touch this inbox.</summary>
    public string? InboxId { get; init; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>May do everything in the organization, creating and revoking keys included.</summary>
    public bool IsFullAccess => InboxId is null && Scopes.Split(' ').Contains(ApiKeyScopes.Full);

    /// <summary>Whether the key may do what <paramref name="scope"/> allows: it names that scope, or <c>full</c>.</summary>
    public bool HasScope(string scope) => Scopes.Split(' ').Any(s => s == ApiKeyScopes.Full || s == scope);
}

public static class ApiKeyScopes
{
    public const string Full = "full";
    /// <summary>Change the organization's settings: automation actions (issue 14), and what issue 11 adds.</summary>
    public const string ManageSettings = "manage:settings";
}

public interface IApiKeyRepository
{
    Task CreateAsync(ApiKey key, CancellationToken ct = default);
    Task<ApiKey?> FindByHashAsync(string keyHash, CancellationToken ct = default);
    Task<Common.Page<ApiKey>> ListAsync(string orgId, Common.PageRequest page, CancellationToken ct = default);
    /// <summary>
    /// All the organization's keys, held against concurrent change until the ambient transaction ends (row locks on
    /// PostgreSQL; SQLite has one writer at a time), so that two revocations cannot both see the other's key remain.
    /// </summary>
    Task<IReadOnlyList<ApiKey>> ListForChangeAsync(string orgId, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>Records use; callers throttle so that a busy key does not write on every request.</summary>
    Task TouchAsync(string id, DateTimeOffset usedAt, CancellationToken ct = default);
}

namespace Mailroom.Core.ApiKeys;

/// <summary>A stored API key: only its SHA-256 hash and a display prefix are kept.</summary>
public sealed class ApiKey
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Name { get; init; }
    public required string Prefix { get; init; }
    public required string KeyHash { get; init; }
    /// <summary>Space-separated scopes: <c>full</c>, or some of <see cref="ApiKeyScopes.Granted"/>.</summary>
    public string Scopes { get; init; } = ApiKeyScopes.Full;
    /// <summary>When set, the key may only touch this inbox.</summary>
    public string? InboxId { get; init; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>May do everything in the organization, creating and revoking keys included.</summary>
    public bool IsFullAccess => InboxId is null && Scopes.Split(' ').Contains(ApiKeyScopes.Full);

    /// <summary>The scopes a limited key was given; empty for a full-access key.</summary>
    public IReadOnlyList<string> GrantedScopes => IsFullAccess ? [] : Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether the key may do what <paramref name="scope"/> allows: a full-access key may do everything.</summary>
    public bool Allows(string scope) => IsFullAccess || GrantedScopes.Contains(scope);
}

public static class ApiKeyScopes
{
    public const string Full = "full";
    public const string ReadThreads = "read:threads";
    public const string WriteDrafts = "write:drafts";
    public const string ApproveDrafts = "approve:drafts";
    /// <summary>Change the organization's settings: identities and their channels, automation actions.</summary>
    public const string ManageSettings = "manage:settings";

    /// <summary>What a key may be limited to; a key given none of them keeps full access.</summary>
    public static readonly IReadOnlyList<string> Granted = [ReadThreads, WriteDrafts, ApproveDrafts, ManageSettings];
}

/// <summary>The key lacks the scope an operation needs.</summary>
public sealed class ScopeMissingException(string scope)
    : Common.MailroomException(Common.ErrorKind.Refused, "api_key", $"this API key lacks the scope {scope}", Common.ErrorCodes.ScopeMissing)
{
    public string Scope { get; } = scope;
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

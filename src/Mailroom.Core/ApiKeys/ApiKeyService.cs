using Mailroom.Core.Common;

namespace Mailroom.Core.ApiKeys;

/// <summary>A key as created: the only moment its full value exists outside the caller.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Token);

public sealed class ApiKeyService(IApiKeyRepository keys, ITransactionRunner transactions, TimeProvider time)
{
    /// <summary>How stale <c>used_at</c> may get before a request writes it again.</summary>
    public static readonly TimeSpan UsedAtResolution = TimeSpan.FromSeconds(30);

    /// <param name="scopes">Limits the key to these (<see cref="ApiKeyScopes.Granted"/>); null or empty keeps full access.</param>
    public async Task<CreatedApiKey> CreateAsync(string orgId, string? name, IReadOnlyList<string?>? scopes = null, CancellationToken ct = default)
    {
        name = Check.Required("name", name);
        var granted = CheckScopes(scopes);
        var token = ApiKeyToken.Generate();
        var key = new ApiKey
        {
            Id = Ids.New(Ids.ApiKey, time), OrgId = orgId, Name = name.Trim(),
            Prefix = token.Prefix, KeyHash = token.Hash, CreatedAt = time.GetUtcNow(),
            Scopes = granted.Count == 0 ? ApiKeyScopes.Full : string.Join(' ', granted),
        };
        await keys.CreateAsync(key, ct);
        return new CreatedApiKey(key, token.Value);
    }

    private static List<string> CheckScopes(IReadOnlyList<string?>? scopes)
    {
        if (scopes is null) return [];
        Check.AtMost("scopes", scopes.Count, ApiKeyScopes.Granted.Count, "scopes");
        var granted = new List<string>();
        for (var i = 0; i < scopes.Count; i++)
        {
            if (scopes[i] is not { } scope || !ApiKeyScopes.Granted.Contains(scope))
                throw new ValidationException($"scopes[{i}]", $"is not a scope; known scopes are {string.Join(", ", ApiKeyScopes.Granted)}");
            if (!granted.Contains(scope)) granted.Add(scope);
        }
        return granted;
    }

    /// <summary>
    /// Revokes a key; false when the organization has no such key. The organization's last full-access key stays: without
    /// it nobody could create another key, so the organization would be locked out for good.
    /// </summary>
    public Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        transactions.InTransactionAsync(async () =>
        {
            var all = await keys.ListForChangeAsync(orgId, ct);
            var key = all.FirstOrDefault(k => k.Id == id);
            if (key is null) return false;
            if (key.IsFullAccess && !all.Any(k => k.Id != id && k.IsFullAccess))
                throw new ConflictException("api_key", "is the organization's last full-access key; create another key before deleting this one",
                    ErrorCodes.LastFullAccessKey);
            return await keys.DeleteAsync(orgId, id, ct);
        }, ct);

    /// <summary>The key a bearer token names, or null; marks it used.</summary>
    public async Task<ApiKey?> AuthenticateAsync(string token, CancellationToken ct = default)
    {
        if (!token.StartsWith(ApiKeyToken.Marker, StringComparison.Ordinal) || token.Length > 200) return null;
        var key = await keys.FindByHashAsync(ApiKeyToken.HashOf(token), ct);
        if (key is null) return null;
        var now = time.GetUtcNow();
        if (key.UsedAt is null || now - key.UsedAt >= UsedAtResolution)
        {
            key.UsedAt = now;
            await keys.TouchAsync(key.Id, now, ct);
        }
        return key;
    }
}

namespace Mailroom.Core.Domains;

/// <summary>The DKIM keys of domains that have no domain row (the platform domain), shared by every node.</summary>
public interface IDkimKeyRepository
{
    /// <summary>The domain's private key sealed by <see cref="Security.SecretBox"/>, or null when it has none yet.</summary>
    Task<string?> FindSealedAsync(string domain, CancellationToken ct = default);

    /// <summary>Stores the key unless the domain has one already (another node may have stored it a moment ago); true when this one was stored.</summary>
    Task<bool> AddIfAbsentAsync(string domain, string selector, string privateKeySealed, DateTimeOffset at, CancellationToken ct = default);
}

namespace Mailroom.Core.Common;

/// <summary>First answers to requests that carried an <c>Idempotency-Key</c>, so a retried request gets the same answer.</summary>
public interface IIdempotencyRepository
{
    Task<string?> FindAsync(string orgId, string scope, string key, CancellationToken ct = default);
    Task SaveAsync(string orgId, string scope, string key, string responseJson, DateTimeOffset at, CancellationToken ct = default);
}

namespace Mailroom.Core.Common;

/// <summary>First answers to requests that carried an <c>Idempotency-Key</c>, so a retried request gets the same answer.</summary>
public interface IIdempotencyRepository
{
    Task<string?> FindAsync(string orgId, string scope, string key, CancellationToken ct = default);

    /// <summary>
    /// Takes the key for this request inside its transaction, before its answer is known; false when another request
    /// took it first. A request that took it and has not committed yet holds the key: on PostgreSQL this waits for
    /// that transaction to end (SQLite runs one writer at a time), so the answer is final, never a unique key violation.
    /// </summary>
    Task<bool> TryTakeAsync(string orgId, string scope, string key, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Records the answer of the request that took the key, in the same transaction.</summary>
    Task AnswerAsync(string orgId, string scope, string key, string responseJson, CancellationToken ct = default);
}

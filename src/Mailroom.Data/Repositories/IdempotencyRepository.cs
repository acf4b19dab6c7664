using Mailroom.Core.Common;

namespace Mailroom.Data.Repositories;

public sealed class IdempotencyRepository(MailroomDatabase db) : IIdempotencyRepository
{
    public Task<string?> FindAsync(string orgId, string scope, string key, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<string>(
            "SELECT response_json FROM idempotency_keys WHERE org_id = @orgId AND scope = @scope AND key = @key", new { orgId, scope, key }, ct);

    public async Task<bool> TryTakeAsync(string orgId, string scope, string key, DateTimeOffset at, CancellationToken ct = default) =>
        // The empty answer is never read: no other transaction sees the row before AnswerAsync fills it and it commits.
        await db.ExecuteAsync("INSERT INTO idempotency_keys (org_id, scope, key, response_json, created_at) VALUES (@orgId, @scope, @key, '', @at) " +
                              "ON CONFLICT (org_id, scope, key) DO NOTHING", new { orgId, scope, key, at = Time.Ms(at) }, ct) == 1;

    public Task AnswerAsync(string orgId, string scope, string key, string responseJson, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE idempotency_keys SET response_json = @responseJson WHERE org_id = @orgId AND scope = @scope AND key = @key",
            new { orgId, scope, key, responseJson }, ct);
}

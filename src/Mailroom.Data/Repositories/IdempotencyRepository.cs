using Mailroom.Core.Common;

namespace Mailroom.Data.Repositories;

public sealed class IdempotencyRepository(MailroomDatabase db) : IIdempotencyRepository
{
    public Task<string?> FindAsync(string orgId, string scope, string key, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<string>(
            "SELECT response_json FROM idempotency_keys WHERE org_id = @orgId AND scope = @scope AND key = @key", new { orgId, scope, key }, ct);

    public Task SaveAsync(string orgId, string scope, string key, string responseJson, DateTimeOffset at, CancellationToken ct = default) =>
        db.ExecuteAsync("INSERT INTO idempotency_keys (org_id, scope, key, response_json, created_at) VALUES (@orgId, @scope, @key, @responseJson, @at)",
            new { orgId, scope, key, responseJson, at = Time.Ms(at) }, ct);
}

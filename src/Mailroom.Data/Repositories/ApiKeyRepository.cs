using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;

namespace Mailroom.Data.Repositories;

public sealed class ApiKeyRepository(MailroomDatabase db) : IApiKeyRepository
{
    private const string Columns = "id, org_id, name, prefix, key_hash, scopes, inbox_id, used_at, created_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Name { get; set; } = "";
        public string Prefix { get; set; } = "";
        public string KeyHash { get; set; } = "";
        public string Scopes { get; set; } = "";
        public string? InboxId { get; set; }
        public long? UsedAt { get; set; }
        public long CreatedAt { get; set; }
    }

    private static ApiKey Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Name = r.Name, Prefix = r.Prefix, KeyHash = r.KeyHash, Scopes = r.Scopes,
        InboxId = r.InboxId, UsedAt = Time.At(r.UsedAt), CreatedAt = Time.At(r.CreatedAt),
    };

    public Task CreateAsync(ApiKey k, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO api_keys ({Columns}) VALUES (@Id, @OrgId, @Name, @Prefix, @KeyHash, @Scopes, @InboxId, @UsedAt, @CreatedAt)",
        new { k.Id, k.OrgId, k.Name, k.Prefix, k.KeyHash, k.Scopes, k.InboxId, UsedAt = Time.Ms(k.UsedAt), CreatedAt = Time.Ms(k.CreatedAt) }, ct);

    public async Task<ApiKey?> FindByHashAsync(string keyHash, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM api_keys WHERE key_hash = @keyHash", new { keyHash }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<ApiKey>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, ApiKey>($"SELECT {Columns} FROM api_keys WHERE org_id = @orgId ORDER BY id DESC",
            "SELECT COUNT(*) FROM api_keys WHERE org_id = @orgId", new() { ["orgId"] = orgId }, page, Map, ct);

    public async Task<IReadOnlyList<ApiKey>> ListForChangeAsync(string orgId, CancellationToken ct = default)
    {
        var forUpdate = db.Provider == DatabaseProvider.Postgres ? " FOR UPDATE" : "";
        var rows = await db.QueryAsync<Row>($"SELECT {Columns} FROM api_keys WHERE org_id = @orgId{forUpdate}", new { orgId }, ct);
        return rows.Select(Map).ToList();
    }

    public async Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM api_keys WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;

    public Task TouchAsync(string id, DateTimeOffset usedAt, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE api_keys SET used_at = @at WHERE id = @id", new { id, at = Time.Ms(usedAt) }, ct);
}

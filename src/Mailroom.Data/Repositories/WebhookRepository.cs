using Mailroom.Core.Common;
using Mailroom.Core.Webhooks;

namespace Mailroom.Data.Repositories;

public sealed class WebhookRepository(MailroomDatabase db) : IWebhookRepository
{
    private const string Columns = "id, org_id, url, event_types_json, inbox_ids_json, enabled, client_id, secret_sealed, failing_since, created_at, updated_at";

    /// <summary>Enabled webhooks per organization, remembered for the rest of the transaction that read them.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Data.Common.DbTransaction, Dictionary<string, IReadOnlyList<Webhook>>> _enabledByTransaction = new();

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Url { get; set; } = "";
        public string EventTypesJson { get; set; } = "";
        public string InboxIdsJson { get; set; } = "";
        public bool Enabled { get; set; }
        public string? ClientId { get; set; }
        public string SecretSealed { get; set; } = "";
        public long? FailingSince { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static Webhook Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Url = r.Url, EventTypes = StoredJson.Read<List<string>>(r.EventTypesJson, []),
        InboxIds = StoredJson.Read<List<string>>(r.InboxIdsJson, []), Enabled = r.Enabled, ClientId = r.ClientId,
        SecretSealed = r.SecretSealed, FailingSince = Time.At(r.FailingSince), CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(Webhook w) => new
    {
        w.Id, w.OrgId, w.Url, EventTypesJson = StoredJson.Write(w.EventTypes), InboxIdsJson = StoredJson.Write(w.InboxIds), w.Enabled,
        w.ClientId, w.SecretSealed, FailingSince = Time.Ms(w.FailingSince), CreatedAt = Time.Ms(w.CreatedAt), UpdatedAt = Time.Ms(w.UpdatedAt),
    };

    public Task CreateAsync(Webhook webhook, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO webhooks ({Columns}) VALUES (@Id, @OrgId, @Url, @EventTypesJson, @InboxIdsJson, @Enabled, @ClientId, @SecretSealed, " +
        "@FailingSince, @CreatedAt, @UpdatedAt)", Args(webhook), ct);

    public async Task<Webhook?> GetAsync(string orgId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM webhooks WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<Webhook?> FindByClientIdAsync(string orgId, string clientId, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM webhooks WHERE org_id = @orgId AND client_id = @clientId " +
                                                          "ORDER BY id LIMIT 1", new { orgId, clientId }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<Webhook>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, Webhook>($"SELECT {Columns} FROM webhooks WHERE org_id = @orgId ORDER BY id DESC",
            "SELECT COUNT(*) FROM webhooks WHERE org_id = @orgId", new() { ["orgId"] = orgId }, page, Map, ct);

    public async Task<IReadOnlyList<Webhook>> ListEnabledAsync(string orgId, CancellationToken ct = default)
    {
        var cache = db.CurrentTransaction is { } transaction ? _enabledByTransaction.GetOrCreateValue(transaction) : null;
        if (cache is not null && cache.TryGetValue(orgId, out var known)) return known;
        IReadOnlyList<Webhook> enabled = (await db.QueryAsync<Row>($"SELECT {Columns} FROM webhooks WHERE org_id = @orgId AND enabled = @enabled",
            new { orgId, enabled = true }, ct)).Select(Map).ToList();
        if (cache is not null) cache[orgId] = enabled;
        return enabled;
    }

    public Task UpdateAsync(Webhook webhook, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE webhooks SET url = @Url, event_types_json = @EventTypesJson, inbox_ids_json = @InboxIdsJson, enabled = @Enabled, " +
        "failing_since = @FailingSince, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(webhook), ct);

    public async Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM webhooks WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;
}

using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Webhooks;

namespace Mailroom.Data.Repositories;

public sealed class EventRepository(MailroomDatabase db, IWebhookRepository webhooks) : IEventRepository
{
    /// <summary>
    /// The enabled webhooks of each organization, read once per transaction: a batch that stores many messages
    /// announces many events, and the endpoints cannot change under its feet.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Data.Common.DbTransaction, Dictionary<string, IReadOnlyList<Webhook>>> _webhooksByTransaction = new();

    private sealed class Row
    {
        public long Seq { get; set; }
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Type { get; set; } = "";
        public string? InboxId { get; set; }
        public string PayloadJson { get; set; } = "";
        public long CreatedAt { get; set; }
    }

    public Task AppendAsync(MailEvent e, CancellationToken ct = default) => db.InTransactionAsync(async () =>
    {
        await db.ExecuteAsync(
            "INSERT INTO events (id, org_id, type, inbox_id, payload_json, created_at) VALUES (@Id, @OrgId, @Type, @InboxId, @PayloadJson, @CreatedAt)",
            new { e.Id, e.OrgId, e.Type, e.InboxId, e.PayloadJson, CreatedAt = Time.Ms(e.CreatedAt) }, ct);
        foreach (var webhook in await EnabledWebhooksAsync(e.OrgId, ct))
        {
            if (!webhook.Matches(e.Type, e.InboxId)) continue;
            await db.ExecuteAsync(
                "INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, status, attempts, next_attempt_at, created_at, updated_at) " +
                "VALUES (@Id, @OrgId, @WebhookId, @EventId, @Status, 0, @At, @At, @At)",
                new
                {
                    Id = Ids.New(Ids.WebhookDelivery), e.OrgId, WebhookId = webhook.Id, EventId = e.Id,
                    Status = WebhookDeliveryStatus.Pending, At = Time.Ms(e.CreatedAt),
                }, ct);
        }
        return true;
    }, ct);

    private async Task<IReadOnlyList<Webhook>> EnabledWebhooksAsync(string orgId, CancellationToken ct)
    {
        var cache = db.CurrentTransaction is { } transaction ? _webhooksByTransaction.GetOrCreateValue(transaction) : null;
        if (cache is not null && cache.TryGetValue(orgId, out var known)) return known;
        var enabled = await webhooks.ListEnabledAsync(orgId, ct);
        if (cache is not null) cache[orgId] = enabled;
        return enabled;
    }

    public async Task<IReadOnlyList<MailEvent>> ListAfterAsync(string orgId, long afterSequence, DateTimeOffset createdBefore, int limit, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>(
            "SELECT seq, id, org_id, type, inbox_id, payload_json, created_at FROM events " +
            "WHERE org_id = @orgId AND seq > @afterSequence AND created_at <= @before ORDER BY seq LIMIT @limit",
            new { orgId, afterSequence, before = Time.Ms(createdBefore), limit }, ct))
        .Select(r => new MailEvent
        {
            Sequence = r.Seq, Id = r.Id, OrgId = r.OrgId, Type = r.Type, InboxId = r.InboxId, PayloadJson = r.PayloadJson, CreatedAt = Time.At(r.CreatedAt),
        }).ToList();

    public Task<long?> SequenceOfAsync(string orgId, string eventId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<long?>("SELECT seq FROM events WHERE org_id = @orgId AND id = @eventId", new { orgId, eventId }, ct);

    public Task<long> LatestSequenceAsync(CancellationToken ct = default) =>
        db.ScalarAsync<long>("SELECT COALESCE(MAX(seq), 0) FROM events", null, ct);
}

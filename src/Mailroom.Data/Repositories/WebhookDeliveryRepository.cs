using Mailroom.Core.Common;
using Mailroom.Core.Webhooks;

namespace Mailroom.Data.Repositories;

public sealed class WebhookDeliveryRepository(MailroomDatabase db, IWebhookRepository webhooks) : IWebhookDeliveryRepository
{
    private const string Columns = "id, org_id, webhook_id, event_id, status, attempts, next_attempt_at, last_status_code, last_error, delivered_at, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string WebhookId { get; set; } = "";
        public string EventId { get; set; } = "";
        public string Status { get; set; } = "";
        public long Attempts { get; set; }
        public long NextAttemptAt { get; set; }
        public long? LastStatusCode { get; set; }
        public string? LastError { get; set; }
        public long? DeliveredAt { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public string? EventType { get; set; }
        public string? PayloadJson { get; set; }
    }

    private sealed class AttemptRow
    {
        public string Id { get; set; } = "";
        public string DeliveryId { get; set; } = "";
        public long AttemptedAt { get; set; }
        public long? StatusCode { get; set; }
        public long LatencyMs { get; set; }
        public string? Error { get; set; }
    }

    private static WebhookDelivery Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, WebhookId = r.WebhookId, EventId = r.EventId, Status = r.Status, Attempts = (int)r.Attempts,
        NextAttemptAt = Time.At(r.NextAttemptAt), LastStatusCode = (int?)r.LastStatusCode, LastError = r.LastError,
        DeliveredAt = Time.At(r.DeliveredAt), CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    public async Task EnqueueAsync(WebhookDelivery d, CancellationToken ct = default)
    {
        await db.ExecuteAsync(
            "INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, status, attempts, next_attempt_at, created_at, updated_at) " +
            "VALUES (@Id, @OrgId, @WebhookId, @EventId, @Status, @Attempts, @NextAttemptAt, @CreatedAt, @UpdatedAt)",
            new
            {
                d.Id, d.OrgId, d.WebhookId, d.EventId, d.Status, d.Attempts, NextAttemptAt = Time.Ms(d.NextAttemptAt),
                CreatedAt = Time.Ms(d.CreatedAt), UpdatedAt = Time.Ms(d.UpdatedAt),
            }, ct);
        // The list's total, in the event's transaction; deliveries go only with their webhook, which takes its count along.
        await db.AddToCountsAsync("webhooks", d.WebhookId, [("delivery_count", 1)], ct);
    }

    public Task<IReadOnlyList<DueWebhookDelivery>> ClaimDueAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default) =>
        db.InTransactionAsync<IReadOnlyList<DueWebhookDelivery>>(async () =>
        {
            var ids = await db.ClaimIdsAsync("webhook_deliveries", "status = @pending AND next_attempt_at <= @now", "next_attempt_at",
                new() { ["pending"] = WebhookDeliveryStatus.Pending }, owner, now, leaseUntil, limit, ct);
            var claimed = new List<DueWebhookDelivery>();
            foreach (var id in ids)
            {
                var row = await db.QuerySingleOrDefaultAsync<Row>(
                    "SELECT d.id, d.org_id, d.webhook_id, d.event_id, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error, " +
                    "d.delivered_at, d.created_at, d.updated_at, e.type AS event_type, e.payload_json FROM webhook_deliveries d " +
                    "JOIN events e ON e.id = d.event_id WHERE d.id = @id", new { id }, ct);
                if (row is null) continue;
                var webhook = await webhooks.GetAsync(row.OrgId, row.WebhookId, ct);
                if (webhook is null) continue;
                claimed.Add(new DueWebhookDelivery(Map(row), webhook, row.EventType!, row.PayloadJson!));
            }
            return claimed;
        }, ct);

    public Task RecordAttemptAsync(WebhookDelivery d, WebhookAttempt a, CancellationToken ct = default) => db.InTransactionAsync(async () =>
    {
        await db.ExecuteAsync(
            "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, latency_ms, error) VALUES (@Id, @DeliveryId, @At, @StatusCode, @LatencyMs, @Error)",
            new { a.Id, a.DeliveryId, At = Time.Ms(a.AttemptedAt), a.StatusCode, a.LatencyMs, a.Error }, ct);
        await db.ExecuteAsync(
            "UPDATE webhook_deliveries SET status = @Status, attempts = @Attempts, next_attempt_at = @NextAttemptAt, last_status_code = @LastStatusCode, " +
            "last_error = @LastError, delivered_at = @DeliveredAt, updated_at = @UpdatedAt, lease_owner = NULL, lease_until = NULL WHERE id = @Id",
            new
            {
                d.Id, d.Status, d.Attempts, NextAttemptAt = Time.Ms(d.NextAttemptAt), d.LastStatusCode, d.LastError,
                DeliveredAt = Time.Ms(d.DeliveredAt), UpdatedAt = Time.Ms(d.UpdatedAt),
            }, ct);
        return true;
    }, ct);

    public Task<Page<WebhookDelivery>> ListAsync(string orgId, string webhookId, PageRequest page, CancellationToken ct = default) =>
        db.PageThroughIndexAsync<Row, WebhookDelivery>("webhook_deliveries", Columns,
            "SELECT id FROM webhook_deliveries WHERE webhook_id = @webhookId AND org_id = @orgId ORDER BY id DESC", "id DESC",
            "SELECT COALESCE((SELECT delivery_count FROM webhooks WHERE org_id = @orgId AND id = @webhookId), 0)",
            new() { ["orgId"] = orgId, ["webhookId"] = webhookId }, page, Map, ct);

    public async Task<WebhookDelivery?> GetAsync(string orgId, string webhookId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM webhook_deliveries WHERE org_id = @orgId AND webhook_id = @webhookId AND id = @id", new { orgId, webhookId, id }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<IReadOnlyList<WebhookAttempt>> ListAttemptsAsync(string deliveryId, CancellationToken ct = default) =>
        (await db.QueryAsync<AttemptRow>(
            "SELECT id, delivery_id, attempted_at, status_code, latency_ms, error FROM webhook_attempts WHERE delivery_id = @deliveryId ORDER BY attempted_at, id",
            new { deliveryId }, ct))
        .Select(r => new WebhookAttempt(r.Id, r.DeliveryId, Time.At(r.AttemptedAt), (int?)r.StatusCode, r.LatencyMs, r.Error)).ToList();

    public Task RescheduleAsync(string id, DateTimeOffset at, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE webhook_deliveries SET status = @pending, next_attempt_at = @at, lease_owner = NULL, lease_until = NULL, updated_at = @at WHERE id = @id",
        new { id, pending = WebhookDeliveryStatus.Pending, at = Time.Ms(at) }, ct);
}

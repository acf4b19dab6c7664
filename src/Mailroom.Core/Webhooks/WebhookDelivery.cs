namespace Mailroom.Core.Webhooks;

/// <summary>One event on its way to one webhook; retried on the schedule until delivered or given up.</summary>
public sealed class WebhookDelivery
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string WebhookId { get; init; }
    public required string EventId { get; init; }
    public string Status { get; set; } = WebhookDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>One HTTP attempt of a delivery, as recorded.</summary>
public sealed record WebhookAttempt(string Id, string DeliveryId, DateTimeOffset AttemptedAt, int? StatusCode, long LatencyMs, string? Error);

/// <summary>A claimed delivery with what sending it needs.</summary>
public sealed record DueWebhookDelivery(WebhookDelivery Delivery, Webhook Webhook, string EventType, string PayloadJson);

public interface IWebhookDeliveryRepository
{
    Task EnqueueAsync(WebhookDelivery delivery, CancellationToken ct = default);
    /// <summary>Leases up to <paramref name="limit"/> due deliveries to <paramref name="owner"/> until <paramref name="leaseUntil"/>.</summary>
    Task<IReadOnlyList<DueWebhookDelivery>> ClaimDueAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default);
    /// <summary>Records the attempt and the delivery's new state, and releases the lease.</summary>
    Task RecordAttemptAsync(WebhookDelivery delivery, WebhookAttempt attempt, CancellationToken ct = default);
    Task<Common.Page<WebhookDelivery>> ListAsync(string orgId, string webhookId, Common.PageRequest page, CancellationToken ct = default);
    Task<WebhookDelivery?> GetAsync(string orgId, string webhookId, string id, CancellationToken ct = default);
    Task<IReadOnlyList<WebhookAttempt>> ListAttemptsAsync(string deliveryId, CancellationToken ct = default);
    /// <summary>Makes a delivery due now again (a manual retry), whatever its state.</summary>
    Task RescheduleAsync(string id, DateTimeOffset at, CancellationToken ct = default);
}

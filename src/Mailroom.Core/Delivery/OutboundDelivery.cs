namespace Mailroom.Core.Delivery;

/// <summary>An outbound message on its way to its recipients; leased by delivery workers, retried on 4xx.</summary>
public sealed class OutboundDelivery
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string MessageId { get; init; }
    /// <summary>The envelope sender (the inbox address).</summary>
    public required string MailFrom { get; init; }
    /// <summary>Recipients still to deliver; shrinks as recipients are accepted or refused for good.</summary>
    public List<string> Recipients { get; set; } = [];
    public string Status { get; set; } = OutboundStatus.Queued;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>End of the retry window: a temporary failure after it is a bounce.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
    public string? LastReply { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class OutboundStatus
{
    public const string Queued = "queued";
    public const string Delivered = "delivered";
    public const string Bounced = "bounced";
}

/// <summary>One try at one host, as recorded.</summary>
public sealed record DeliveryAttempt(string Id, string DeliveryId, DateTimeOffset AttemptedAt, string? Host, int? ReplyCode, string? ReplyText, string Outcome);

public interface IOutboundDeliveryRepository
{
    Task EnqueueAsync(OutboundDelivery delivery, CancellationToken ct = default);
    Task<IReadOnlyList<OutboundDelivery>> ClaimDueAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default);
    /// <summary>
    /// Saves the delivery's new state with its attempts; releases the lease unless <paramref name="keepLease"/> (more routes
    /// of the same attempt are still to go, and no other worker may take the recipients left).
    /// </summary>
    Task RecordAsync(OutboundDelivery delivery, IReadOnlyList<DeliveryAttempt> attempts, bool keepLease = false, CancellationToken ct = default);
}

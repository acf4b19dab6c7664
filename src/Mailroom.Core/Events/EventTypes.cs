namespace Mailroom.Core.Events;

/// <summary>The canonical event names: what a webhook or the event stream subscribes to, and each <see cref="DomainEvent"/>'s type.</summary>
public static class EventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageSent = "message.sent";
    public const string MessageDelivered = "message.delivered";
    public const string MessageBounced = "message.bounced";
    public const string MessageComplained = "message.complained";
    public const string MessageRejected = "message.rejected";
    public const string DomainVerified = "domain.verified";
    public const string SenderIdentityVerified = "sender_identity.verified";
    public const string SmsReceived = "sms.received";
    public const string SmsSent = "sms.sent";
    public const string SmsDelivered = "sms.delivered";
    public const string SmsFailed = "sms.failed";
    public const string DraftCreated = "draft.created";
    public const string DraftApproved = "draft.approved";
    public const string DraftRejected = "draft.rejected";
    public const string DraftSent = "draft.sent";
    public const string DraftStale = "draft.stale";
    public const string DraftEscalated = "draft.escalated";

    public static readonly IReadOnlyList<string> All =
    [
        MessageReceived, MessageSent, MessageDelivered, MessageBounced, MessageComplained, MessageRejected, DomainVerified,
        SenderIdentityVerified,
        SmsReceived, SmsSent, SmsDelivered, SmsFailed,
        DraftCreated, DraftApproved, DraftRejected, DraftSent, DraftStale,
        DraftEscalated,
    ];
}

/// <summary>A change announced to webhooks and the event stream; written in the transaction that made it.</summary>
public sealed class MailEvent
{
    public required string Id { get; init; }
    /// <summary>Where the event stands in commit order; the event stream resumes from it.</summary>
    public EventPosition Position { get; init; }
    public required string OrgId { get; init; }
    public required string Type { get; init; }
    public string? InboxId { get; init; }
    public required string PayloadJson { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// An event's place in the order the stream delivers: its writing transaction, then its sequence number. Sequence
/// numbers alone are taken at insert, not at commit, so on PostgreSQL a later number can commit first; ordering by the
/// transaction first, and reading only transactions that have ended, gives an order that nothing can join behind a
/// reader's position. On SQLite (one writer at a time, so insert order is commit order) the transaction part is 0.
/// </summary>
public readonly record struct EventPosition(long Transaction, long Sequence) : IComparable<EventPosition>
{
    public int CompareTo(EventPosition other) =>
        Transaction != other.Transaction ? Transaction.CompareTo(other.Transaction) : Sequence.CompareTo(other.Sequence);
}

public interface IEventRepository
{
    /// <summary>Appends the event to the outbox.</summary>
    Task AppendAsync(MailEvent mailEvent, CancellationToken ct = default);
    /// <summary>
    /// The organization's events after a position, in position order, from transactions that have ended only: an event
    /// still being committed is never overtaken, so a reader that advances to the last event returned loses nothing.
    /// </summary>
    Task<IReadOnlyList<MailEvent>> ListAfterAsync(string orgId, EventPosition after, int limit, CancellationToken ct = default);
    /// <summary>The position of an event id, for resuming from <c>Last-Event-ID</c>.</summary>
    Task<EventPosition?> PositionOfAsync(string orgId, string eventId, CancellationToken ct = default);
    /// <summary>Where a new reader starts: after every event of an ended transaction; events still committing come after it.</summary>
    Task<EventPosition> CurrentPositionAsync(CancellationToken ct = default);
}

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
    public const string DraftCreated = "draft.created";
    public const string DraftApproved = "draft.approved";
    public const string DraftRejected = "draft.rejected";
    public const string DraftSent = "draft.sent";
    public const string DraftStale = "draft.stale";

    public static readonly IReadOnlyList<string> All =
    [
        MessageReceived, MessageSent, MessageDelivered, MessageBounced, MessageComplained, MessageRejected, DomainVerified,
        DraftCreated, DraftApproved, DraftRejected, DraftSent, DraftStale,
    ];
}

/// <summary>A change announced to webhooks and the event stream; written in the transaction that made it.</summary>
public sealed class MailEvent
{
    public required string Id { get; init; }
    /// <summary>Monotonic position assigned by the database; the event stream resumes from it.</summary>
    public long Sequence { get; init; }
    public required string OrgId { get; init; }
    public required string Type { get; init; }
    public string? InboxId { get; init; }
    public required string PayloadJson { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public interface IEventRepository
{
    /// <summary>Appends the event to the outbox.</summary>
    Task AppendAsync(MailEvent mailEvent, CancellationToken ct = default);
    /// <summary>
    /// Events after a position, oldest first, created no later than <paramref name="createdBefore"/> (the stream
    /// holds back the newest moment so that a transaction still committing cannot be overtaken).
    /// </summary>
    /// <summary>
    /// How far behind the present a reader of <see cref="ListAfterAsync"/> stays: where sequence numbers are taken before
    /// commit (PostgreSQL), a slower transaction's event could otherwise be overtaken and skipped.
    /// </summary>
    TimeSpan CommitLag { get; }
    Task<IReadOnlyList<MailEvent>> ListAfterAsync(string orgId, long afterSequence, DateTimeOffset createdBefore, int limit, CancellationToken ct = default);
    /// <summary>The position of an event id, for resuming from <c>Last-Event-ID</c>.</summary>
    Task<long?> SequenceOfAsync(string orgId, string eventId, CancellationToken ct = default);
    Task<long> LatestSequenceAsync(CancellationToken ct = default);
}

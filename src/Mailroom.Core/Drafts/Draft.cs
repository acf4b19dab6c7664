using System.Text.Json;

namespace Mailroom.Core.Drafts;

public static class DraftState
{
    public const string Pending = "pending";
    public const string Stale = "stale";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Sent = "sent";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Stale, Approved, Rejected, Sent, Failed];
}

/// <summary>What a draft says at one version: the mail it would send and why the agent wrote it.</summary>
public sealed record DraftContent
{
    public string? Subject { get; init; }
    public required string Text { get; init; }
    public string? Html { get; init; }
    public List<string> To { get; init; } = [];
    public List<string> Cc { get; init; } = [];
    public string? Rationale { get; init; }
    /// <summary>The caller's JSON object, kept as given (at most <see cref="Draft.MaxMetadataBytes"/>).</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A card posted for a draft on one channel; kept so that the card can be closed when the draft is decided.</summary>
public sealed record DraftNotice
{
    public required string ChannelId { get; init; }
    public required string Type { get; init; }
    public required string Reference { get; init; }
    public required int Version { get; init; }
    public bool Escalated { get; init; }
    /// <summary>The group of one-time links the card carried, voided when the draft is decided elsewhere.</summary>
    public string? LinkGroupId { get; init; }
    public DateTimeOffset PostedAt { get; init; }
}

/// <summary>An outbound message an agent wrote that waits for a person, and what became of it.</summary>
public sealed class Draft
{
    public const int MaxMetadataBytes = 8 * 1024;

    public required string Id { get; init; }
    public required string OrgId { get; init; }
    /// <summary>The identity (inbox) that would send it; null once the identity is deleted.</summary>
    public string? InboxId { get; init; }
    public string? ThreadId { get; set; }
    /// <summary>The message the draft answers; mail newer than it reaching the thread makes the draft stale.</summary>
    public string? BasedOnMessageId { get; init; }
    public string State { get; set; } = DraftState.Pending;
    public int Version { get; set; } = 1;
    public required DraftContent Content { get; set; }
    public List<DraftNotice> Notices { get; set; } = [];
    public DateTimeOffset? EscalationDueAt { get; set; }
    public DateTimeOffset? EscalatedAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? RejectReason { get; set; }
    public string? SentMessageId { get; set; }
    public string? Failure { get; set; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsOpen => State is DraftState.Pending or DraftState.Stale;
}

/// <summary>One version of a draft's content, whoever made it.</summary>
public sealed record DraftVersion(string DraftId, int Version, DraftContent Content, string? EditedBy, DateTimeOffset CreatedAt);

public sealed record DraftFilter(string? InboxId, string? ThreadId, string? State);

public interface IDraftRepository
{
    Task CreateAsync(Draft draft, CancellationToken ct = default);
    Task<Draft?> GetAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>Reads the draft again inside the caller's transaction, locking its row where the database can (PostgreSQL).</summary>
    Task<Draft?> LockAsync(string orgId, string id, CancellationToken ct = default);
    Task UpdateAsync(Draft draft, CancellationToken ct = default);
    Task<Common.Page<Draft>> ListAsync(string orgId, DraftFilter filter, Common.PageRequest page, CancellationToken ct = default);
    Task AddVersionAsync(DraftVersion version, CancellationToken ct = default);
    Task<IReadOnlyList<DraftVersion>> ListVersionsAsync(string draftId, CancellationToken ct = default);
    /// <summary>The pending drafts of a thread, locked where the database can, for the staleness rule.</summary>
    Task<IReadOnlyList<Draft>> ListPendingInThreadAsync(string threadId, CancellationToken ct = default);
    /// <summary>Pending drafts whose escalation is due, oldest due first.</summary>
    Task<IReadOnlyList<Draft>> ListDueForEscalationAsync(DateTimeOffset now, int limit, CancellationToken ct = default);
    /// <summary>Takes a due escalation for this caller (clears the due time, sets escalated_at); false when another node took it first.</summary>
    Task<bool> ClaimEscalationAsync(string id, DateTimeOffset at, CancellationToken ct = default);
    /// <summary>Queues the draft's announcement on its approval channel, for the scheduler to make after the caller's commit.</summary>
    Task QueueAnnouncementAsync(string id, DateTimeOffset due, CancellationToken ct = default);
    /// <summary>Drafts whose announcement is queued and due, oldest first (decided ones too, so that their claim clears them).</summary>
    Task<IReadOnlyList<Draft>> ListDueForAnnouncementAsync(DateTimeOffset now, int limit, CancellationToken ct = default);
    /// <summary>Takes a queued announcement for this caller (clears it); false when another node took it first.</summary>
    Task<bool> ClaimAnnouncementAsync(string id, CancellationToken ct = default);
    /// <summary>Adds a posted card to the draft's notices without touching anything else.</summary>
    Task SaveNoticesAsync(Draft draft, CancellationToken ct = default);
}

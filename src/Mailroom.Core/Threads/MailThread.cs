namespace Mailroom.Core.Threads;

/// <summary>A conversation in one inbox; its counters are derived from its messages when one is added.</summary>
public sealed class MailThread
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    /// <summary>Null once the inbox is deleted with its mail kept (an identity deleted through the identities API).</summary>
    public required string? InboxId { get; init; }
    /// <summary>The address of the thread's inbox, set when the thread is opened; it stays when the inbox is deleted with its mail kept.</summary>
    public string? InboxAddress { get; init; }
    public string? Subject { get; set; }
    public string? NormalizedSubject { get; set; }
    public string? Preview { get; set; }
    public List<string> Labels { get; set; } = [];
    public List<string> Senders { get; set; } = [];
    public List<string> Recipients { get; set; } = [];
    public int MessageCount { get; set; }
    public long Size { get; set; }
    public string? LastMessageId { get; set; }
    public DateTimeOffset? ReceivedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset LastActivityAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Marked spam (automation's Spam action): left out of the default lists, shown by their spam view.</summary>
    public bool Spam { get; init; }
    /// <summary>False for a thread <see cref="Threading"/> has opened but not yet written: it is inserted with its first message.</summary>
    public bool Stored { get; set; }
}

public interface IThreadRepository
{
    Task CreateAsync(MailThread thread, CancellationToken ct = default);
    Task<MailThread?> GetAsync(string orgId, string inboxId, string id, CancellationToken ct = default);
    /// <summary>A thread of the organization by id alone, whether or not its inbox still exists.</summary>
    Task<MailThread?> FindAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>The inbox's threads not marked spam, or with <paramref name="spam"/> only those marked spam.</summary>
    Task<Common.Page<MailThread>> ListAsync(string orgId, string inboxId, bool spam, Common.PageRequest page, CancellationToken ct = default);
    Task UpdateAsync(MailThread thread, CancellationToken ct = default);
    /// <summary>Reads the thread again inside the caller's transaction, locking its row where the database can (PostgreSQL).</summary>
    Task<MailThread?> LockAsync(string id, CancellationToken ct = default);
    /// <summary>A recent thread of the inbox with this normalised subject, for mail that carries no threading headers.</summary>
    Task<MailThread?> FindRecentBySubjectAsync(string inboxId, string normalizedSubject, DateTimeOffset since, CancellationToken ct = default);
}

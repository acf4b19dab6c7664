namespace Mailroom.Core.Messages;

/// <summary>One email in an inbox, received or sent; the raw MIME is kept as a blob.</summary>
public sealed class Message
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    /// <summary>Null once the inbox is deleted with its mail kept; the thread keeps the address.</summary>
    public required string? InboxId { get; init; }
    public required string ThreadId { get; set; }
    public required string Direction { get; init; }
    public string Status { get; set; } = MessageStatus.Received;
    /// <summary>The RFC 5322 Message-ID without angle brackets.</summary>
    public string? RfcMessageId { get; init; }
    public string? InReplyTo { get; init; }
    public List<string> References { get; init; } = [];
    /// <summary>The From header as written: <c>Name &lt;address&gt;</c> or a bare address.</summary>
    public string? From { get; init; }
    public List<string> To { get; init; } = [];
    public List<string> Cc { get; init; } = [];
    public List<string> Bcc { get; init; } = [];
    public List<string> ReplyTo { get; init; } = [];
    public string? Subject { get; init; }
    public string? Preview { get; init; }
    public string? Text { get; init; }
    public string? Html { get; init; }
    /// <summary>Every header in order, as (name, decoded value) pairs.</summary>
    public List<KeyValuePair<string, string>> Headers { get; init; } = [];
    public List<string> Labels { get; set; } = [];
    public long Size { get; init; }
    public string? RawBlobKey { get; set; }
    public MessageAuthentication? Authentication { get; init; }
    /// <summary>The spam check's verdict (automations run it after the message is stored); null until it ran.</summary>
    public Automation.SpamVerdict? Spam { get; set; }
    /// <summary>
    /// Its thread is marked spam (<see cref="Threads.MailThread.Spam"/>): copied onto each message, set by
    /// <see cref="Threads.Threading"/> when one is added, so that the message list can leave spam out through its index.
    /// </summary>
    public bool InSpamThread { get; set; }
    public string? DraftId { get; init; }
    /// <summary>The inbound spool row this message was delivered from, if it came in through the spool (not stored as it was accepted).</summary>
    public string? SpoolId { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What the inbound checks found: SPF, DKIM and DMARC results and the Authentication-Results text.</summary>
public sealed record MessageAuthentication(string Spf, string Dkim, string Dmarc, string? Results);

public static class MessageDirection
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";
}

public static class MessageStatus
{
    public const string Received = "received";
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Bounced = "bounced";
    public const string Rejected = "rejected";
}

public sealed class Attachment
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string MessageId { get; init; }
    public string? FileName { get; init; }
    public required string ContentType { get; init; }
    public string? Disposition { get; init; }
    public string? ContentId { get; init; }
    public long Size { get; init; }
    public required string BlobKey { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public interface IMessageRepository
{
    Task CreateAsync(Message message, IReadOnlyList<Attachment> attachments, CancellationToken ct = default);
    Task<Message?> GetAsync(string orgId, string inboxId, string id, CancellationToken ct = default);
    /// <summary>A message of the organization that belongs to no inbox (Mailroom's own notices, mail of a deleted identity).</summary>
    Task<Message?> FindWithoutInboxAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>The inbox's messages outside threads marked spam, or with <paramref name="spam"/> only those in them.</summary>
    Task<Common.Page<Message>> ListAsync(string orgId, string inboxId, bool spam, Common.PageRequest page, CancellationToken ct = default);
    Task<IReadOnlyList<Message>> ListByThreadAsync(string orgId, string threadId, CancellationToken ct = default);
    /// <summary>
    /// The newest <paramref name="limit"/> messages of a thread (of one direction when given), oldest first: what costs
    /// the few rows it answers, not the thread's length.
    /// </summary>
    Task<IReadOnlyList<Message>> ListNewestInThreadAsync(string orgId, string threadId, int limit, string? direction = null, CancellationToken ct = default);
    /// <summary>Whether the thread holds a message of <paramref name="direction"/> later than <paramref name="after"/>, other than <paramref name="exceptId"/>.</summary>
    Task<bool> AnyLaterInThreadAsync(string orgId, string threadId, DateTimeOffset after, string exceptId, string direction, CancellationToken ct = default);
    /// <summary>A message of a thread, by id (whichever inbox holds the thread now).</summary>
    Task<Message?> GetInThreadAsync(string orgId, string threadId, string id, CancellationToken ct = default);
    Task UpdateLabelsAsync(Message message, CancellationToken ct = default);
    Task UpdateStatusAsync(string id, string status, DateTimeOffset at, CancellationToken ct = default);
    /// <summary>The thread of the first message in the inbox whose Message-ID is one of <paramref name="rfcMessageIds"/>.</summary>
    Task<string?> FindThreadByRfcIdsAsync(string inboxId, IReadOnlyCollection<string> rfcMessageIds, CancellationToken ct = default);
    /// <summary>The message of an inbox with this RFC 5322 Message-ID, newest first.</summary>
    Task<Message?> FindByRfcIdAsync(string inboxId, string rfcMessageId, CancellationToken ct = default);
    /// <summary>Which of these spool rows already produced messages, as (inbox id, spool id) pairs.</summary>
    Task<IReadOnlySet<(string InboxId, string SpoolId)>> DeliveredFromSpoolAsync(IReadOnlyCollection<string> spoolIds, CancellationToken ct = default);
    Task<IReadOnlyList<Attachment>> ListAttachmentsAsync(string messageId, CancellationToken ct = default);
    /// <summary>The attachments of several messages (a page of a list) in one round trip, by message id; a message without any maps to an empty list.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<Attachment>>> ListAttachmentsOfMessagesAsync(IReadOnlyCollection<string> messageIds, CancellationToken ct = default);
    Task<Attachment?> GetAttachmentAsync(string orgId, string messageId, string attachmentId, CancellationToken ct = default);
    /// <summary>An attachment by id alone, for signed download links (the signature proves access).</summary>
    Task<Attachment?> FindAttachmentAsync(string attachmentId, CancellationToken ct = default);
    /// <summary>
    /// The organization's messages that match every criterion given, newest first: at most <paramref name="limit"/> of
    /// them after <paramref name="after"/> (from the newest when null), and the position to continue from when more follow.
    /// </summary>
    Task<MessageSearchPage> SearchAsync(string orgId, MessageSearch search, MessagePosition? after, int limit, CancellationToken ct = default);
}

/// <summary>
/// What a message search asks for; every criterion given must hold. Addresses and labels are looked up in an index of
/// their own; subject and text in a full-text index (SQLite FTS5, PostgreSQL text search), word by word, see
/// <see cref="MessageSearchTerms"/>.
/// </summary>
/// <param name="From">The sender's address (the one in the From header), whole, ignoring case.</param>
/// <param name="Recipient">An address of the To or Cc header, whole, ignoring case.</param>
/// <param name="Subject">Words that must each begin a word of the subject.</param>
/// <param name="Text">Words that must each begin a word of the subject or the text body.</param>
/// <param name="Labels">Labels the message must all carry, exactly as written.</param>
/// <param name="After">At or after this time.</param>
/// <param name="Before">Strictly before this time.</param>
public sealed record MessageSearch(string? InboxId = null, string? From = null, string? Recipient = null, string? Subject = null, string? Text = null,
    IReadOnlyList<string>? Labels = null, DateTimeOffset? After = null, DateTimeOffset? Before = null);

/// <summary>Where a newest-first walk through messages stands: the last message returned, by time and then id.</summary>
public readonly record struct MessagePosition(DateTimeOffset Timestamp, string MessageId);

/// <summary>One page of a search and, when more messages match, the position the next page starts after.</summary>
public sealed record MessageSearchPage(IReadOnlyList<Message> Items, MessagePosition? Next);

using Mailroom.Core.Common;
using Mailroom.Core.Threads;

namespace Mailroom.Data.Repositories;

public sealed class ThreadRepository(MailroomDatabase db) : IThreadRepository, Core.Identities.IThreadOverviewRepository
{
    private const string Columns = "id, org_id, inbox_id, subject, normalized_subject, preview, labels_json, senders_json, recipients_json, " +
                                   "message_count, size, last_message_id, received_at, sent_at, last_activity_at, created_at, updated_at, inbox_address, spam";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string? InboxId { get; set; }
        public string? Subject { get; set; }
        public string? NormalizedSubject { get; set; }
        public string? Preview { get; set; }
        public string LabelsJson { get; set; } = "";
        public string SendersJson { get; set; } = "";
        public string RecipientsJson { get; set; } = "";
        public long MessageCount { get; set; }
        public long Size { get; set; }
        public string? LastMessageId { get; set; }
        public long? ReceivedAt { get; set; }
        public long? SentAt { get; set; }
        public long LastActivityAt { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public string InboxAddress { get; set; } = "";
        public bool Spam { get; set; }
        /// <summary>Only in the identities API's queries (see <see cref="StatusExpression"/>).</summary>
        public string? ThreadStatus { get; set; }
    }

    /// <summary>A thread's status for the identities API, computed where it is filtered (see <c>ThreadStatus</c>).</summary>
    private const string StatusExpression =
        "CASE WHEN t.inbox_id IS NULL THEN 'closed' " +
        "WHEN EXISTS (SELECT 1 FROM drafts d WHERE d.thread_id = t.id AND d.state IN ('pending', 'stale')) THEN 'draft_pending' " +
        "WHEN t.sent_at IS NOT NULL AND (t.received_at IS NULL OR t.sent_at >= t.received_at) THEN 'waiting' ELSE 'open' END";

    /// <summary>
    /// Threads of identities only: not Mailroom's approval notices (their address) nor mail an organization sent without
    /// an inbox (MailerSend-style sends, whose messages say what they went out as).
    /// </summary>
    private const string IdentityThreadCondition =
        "t.inbox_address <> @excludedAddress AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.sent_as IS NOT NULL)";

    private static Core.Identities.ThreadOverview Overview(Row r) => new(Map(r), r.ThreadStatus ?? "open");

    public Task<Page<Core.Identities.ThreadOverview>> ListOverviewsAsync(string orgId, Core.Identities.ThreadFilter filter, string excludedAddress, PageRequest page,
        CancellationToken ct = default)
    {
        var inner = $"SELECT {Prefixed}, {StatusExpression} AS thread_status FROM threads t WHERE t.org_id = @orgId AND t.message_count > 0 AND t.spam = @spam " +
                    $"AND {IdentityThreadCondition}" + (filter.InboxId is null ? "" : " AND t.inbox_id = @inboxId");
        var conditions = new List<string>();
        if (filter.Status is not null) conditions.Add("x.thread_status = @status");
        if (filter.NeedsReview is { } needsReview) conditions.Add(needsReview ? "x.thread_status = 'draft_pending'" : "x.thread_status <> 'draft_pending'");
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        return db.PageAsync<Row, Core.Identities.ThreadOverview>(
            $"SELECT * FROM ({inner}) x{where} ORDER BY x.last_activity_at DESC, x.id DESC", $"SELECT COUNT(*) FROM ({inner}) x{where}",
            new() { ["orgId"] = orgId, ["inboxId"] = filter.InboxId, ["status"] = filter.Status, ["excludedAddress"] = excludedAddress,
                ["spam"] = filter.Spam }, page, Overview, ct);
    }

    public async Task<Core.Identities.ThreadOverview?> GetOverviewAsync(string orgId, string id, string excludedAddress, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Prefixed}, {StatusExpression} AS thread_status FROM threads t WHERE t.org_id = @orgId AND t.id = @id AND {IdentityThreadCondition}",
            new { orgId, id, excludedAddress }, ct);
        return row is null ? null : Overview(row);
    }

    private static readonly string Prefixed = string.Join(", ", Columns.Split(", ").Select(c => "t." + c));

    private static MailThread Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, InboxId = r.InboxId, Subject = r.Subject, NormalizedSubject = r.NormalizedSubject, Preview = r.Preview,
        Labels = StoredJson.Read<List<string>>(r.LabelsJson, []), Senders = StoredJson.Read<List<string>>(r.SendersJson, []),
        Recipients = StoredJson.Read<List<string>>(r.RecipientsJson, []), MessageCount = (int)r.MessageCount, Size = r.Size,
        LastMessageId = r.LastMessageId, ReceivedAt = Time.At(r.ReceivedAt), SentAt = Time.At(r.SentAt),
        LastActivityAt = Time.At(r.LastActivityAt), CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt), InboxAddress = r.InboxAddress,
        Spam = r.Spam, Stored = true,
    };

    private static object Args(MailThread t) => new
    {
        t.Id, t.OrgId, t.InboxId, t.InboxAddress, t.Subject, t.NormalizedSubject, t.Preview, LabelsJson = StoredJson.Write(t.Labels),
        SendersJson = StoredJson.Write(t.Senders), RecipientsJson = StoredJson.Write(t.Recipients), t.MessageCount, t.Size, t.LastMessageId,
        ReceivedAt = Time.Ms(t.ReceivedAt), SentAt = Time.Ms(t.SentAt), LastActivityAt = Time.Ms(t.LastActivityAt),
        CreatedAt = Time.Ms(t.CreatedAt), UpdatedAt = Time.Ms(t.UpdatedAt), t.Spam,
    };

    public async Task CreateAsync(MailThread thread, CancellationToken ct = default)
    {
        await db.ExecuteAsync(
            $"INSERT INTO threads ({Columns}) VALUES (@Id, @OrgId, @InboxId, @Subject, @NormalizedSubject, @Preview, @LabelsJson, @SendersJson, " +
            "@RecipientsJson, @MessageCount, @Size, @LastMessageId, @ReceivedAt, @SentAt, @LastActivityAt, @CreatedAt, @UpdatedAt, " +
            "@InboxAddress, @Spam)", Args(thread), ct);
        // The inbox's count of listed threads, in the caller's transaction (see MessageRepository.CreateAsync). A thread
        // is inserted with its first message and its message_count only grows until the thread is deleted whole, so
        // the insert is where it starts to be listed.
        if (thread.InboxId is not null && thread.MessageCount > 0)
            await db.AddToInboxCountsAsync(thread.InboxId, new(Messages: 0, Threads: 1, SpamMessages: 0, SpamThreads: thread.Spam ? 1 : 0), ct);
        thread.Stored = true;
    }

    public async Task<MailThread?> GetAsync(string orgId, string inboxId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM threads WHERE org_id = @orgId AND inbox_id = @inboxId AND id = @id", new { orgId, inboxId, id }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<MailThread?> FindAsync(string orgId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM threads WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    /// <summary>
    /// Most recent activity first; the ids come from ix_threads_inbox_list (inbox, spam flag, activity) alone and the total
    /// from the inbox's counters: all of its listed threads less the spam ones, or the spam ones.
    /// </summary>
    public Task<Page<MailThread>> ListAsync(string orgId, string inboxId, bool spam, PageRequest page, CancellationToken ct = default) =>
        db.PageThroughIndexAsync<Row, MailThread>("threads", Columns,
            "SELECT id FROM threads WHERE inbox_id = @inboxId AND spam = @spam AND org_id = @orgId AND message_count > 0 ORDER BY last_activity_at DESC, id DESC",
            "last_activity_at DESC, id DESC",
            $"SELECT COALESCE((SELECT {(spam ? "spam_thread_count" : "thread_count - spam_thread_count")} FROM inboxes WHERE org_id = @orgId AND id = @inboxId), 0)",
            new() { ["orgId"] = orgId, ["inboxId"] = inboxId, ["spam"] = spam }, page, Map, ct);

    public async Task<MailThread?> LockAsync(string id, CancellationToken ct = default)
    {
        var forUpdate = db.Provider == DatabaseProvider.Postgres ? " FOR UPDATE" : "";
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM threads WHERE id = @id{forUpdate}", new { id }, ct);
        return row is null ? null : Map(row);
    }

    public Task UpdateAsync(MailThread thread, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE threads SET subject = @Subject, normalized_subject = @NormalizedSubject, preview = @Preview, labels_json = @LabelsJson, " +
        "senders_json = @SendersJson, recipients_json = @RecipientsJson, message_count = @MessageCount, size = @Size, " +
        "last_message_id = @LastMessageId, received_at = @ReceivedAt, sent_at = @SentAt, last_activity_at = @LastActivityAt, " +
        "updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(thread), ct);

    public async Task<MailThread?> FindRecentBySubjectAsync(string inboxId, string normalizedSubject, DateTimeOffset since, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            // spam IN (both): the inbox's threads in the window, spam or not, as ranges of ix_threads_inbox_list.
            $"SELECT {Columns} FROM threads WHERE inbox_id = @inboxId AND spam IN (FALSE, TRUE) AND normalized_subject = @normalizedSubject " +
            "AND last_activity_at >= @since ORDER BY last_activity_at DESC LIMIT 1", new { inboxId, normalizedSubject, since = Time.Ms(since) }, ct);
        return row is null ? null : Map(row);
    }
}

using Mailroom.Core.Common;
using Mailroom.Core.Drafts;

namespace Mailroom.Data.Repositories;

public sealed class DraftRepository(MailroomDatabase db) : IDraftRepository
{
    private const string Columns = "id, org_id, inbox_id, thread_id, in_reply_to_message_id, state, version, payload_json, notifications_json, " +
                                   "escalation_due_at, escalated_at, decided_by, decided_at, reject_reason, sent_message_id, failure, created_by, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string? InboxId { get; set; }
        public string? ThreadId { get; set; }
        public string? InReplyToMessageId { get; set; }
        public string State { get; set; } = "";
        public long Version { get; set; }
        public string PayloadJson { get; set; } = "";
        public string NotificationsJson { get; set; } = "";
        public long? EscalationDueAt { get; set; }
        public long? EscalatedAt { get; set; }
        public string? DecidedBy { get; set; }
        public long? DecidedAt { get; set; }
        public string? RejectReason { get; set; }
        public string? SentMessageId { get; set; }
        public string? Failure { get; set; }
        public string? CreatedBy { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private sealed class VersionRow
    {
        public string DraftId { get; set; } = "";
        public long Version { get; set; }
        public string PayloadJson { get; set; } = "";
        public string? EditedBy { get; set; }
        public long CreatedAt { get; set; }
    }

    private static Draft Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, InboxId = r.InboxId, ThreadId = r.ThreadId, BasedOnMessageId = r.InReplyToMessageId, State = r.State,
        Version = (int)r.Version, Content = StoredJson.Read<DraftContent?>(r.PayloadJson, null) ?? new DraftContent { Text = "" },
        Notices = StoredJson.Read<List<DraftNotice>>(r.NotificationsJson, []), EscalationDueAt = Time.At(r.EscalationDueAt),
        EscalatedAt = Time.At(r.EscalatedAt), DecidedBy = r.DecidedBy, DecidedAt = Time.At(r.DecidedAt), RejectReason = r.RejectReason,
        SentMessageId = r.SentMessageId, Failure = r.Failure, CreatedBy = r.CreatedBy, CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(Draft d) => new
    {
        d.Id, d.OrgId, d.InboxId, d.ThreadId, InReplyToMessageId = d.BasedOnMessageId, d.State, d.Version, PayloadJson = StoredJson.Write(d.Content),
        NotificationsJson = StoredJson.Write(d.Notices), EscalationDueAt = Time.Ms(d.EscalationDueAt), EscalatedAt = Time.Ms(d.EscalatedAt),
        d.DecidedBy, DecidedAt = Time.Ms(d.DecidedAt), d.RejectReason, d.SentMessageId, d.Failure, d.CreatedBy,
        CreatedAt = Time.Ms(d.CreatedAt), UpdatedAt = Time.Ms(d.UpdatedAt),
    };

    public Task CreateAsync(Draft draft, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO drafts ({Columns}) VALUES (@Id, @OrgId, @InboxId, @ThreadId, @InReplyToMessageId, @State, @Version, @PayloadJson, " +
        "@NotificationsJson, @EscalationDueAt, @EscalatedAt, @DecidedBy, @DecidedAt, @RejectReason, @SentMessageId, @Failure, @CreatedBy, " +
        "@CreatedAt, @UpdatedAt)", Args(draft), ct);

    public Task<Draft?> GetAsync(string orgId, string id, CancellationToken ct = default) => One("org_id = @orgId AND id = @id", new { orgId, id }, "", ct);

    public Task<Draft?> LockAsync(string orgId, string id, CancellationToken ct = default) =>
        One("org_id = @orgId AND id = @id", new { orgId, id }, ForUpdate, ct);

    public Task UpdateAsync(Draft draft, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE drafts SET thread_id = @ThreadId, state = @State, version = @Version, payload_json = @PayloadJson, notifications_json = @NotificationsJson, " +
        "escalation_due_at = @EscalationDueAt, escalated_at = @EscalatedAt, decided_by = @DecidedBy, decided_at = @DecidedAt, " +
        "reject_reason = @RejectReason, sent_message_id = @SentMessageId, failure = @Failure, updated_at = @UpdatedAt " +
        "WHERE org_id = @OrgId AND id = @Id", Args(draft), ct);

    public Task SaveNoticesAsync(Draft draft, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE drafts SET notifications_json = @NotificationsJson WHERE org_id = @OrgId AND id = @Id",
        new { draft.OrgId, draft.Id, NotificationsJson = StoredJson.Write(draft.Notices) }, ct);

    public Task<Page<Draft>> ListAsync(string orgId, DraftFilter filter, PageRequest page, CancellationToken ct = default)
    {
        var where = "org_id = @orgId" + (filter.InboxId is null ? "" : " AND inbox_id = @inboxId")
                    + (filter.ThreadId is null ? "" : " AND thread_id = @threadId") + (filter.State is null ? "" : " AND state = @state");
        return db.PageAsync<Row, Draft>($"SELECT {Columns} FROM drafts WHERE {where} ORDER BY id DESC", $"SELECT COUNT(*) FROM drafts WHERE {where}",
            new() { ["orgId"] = orgId, ["inboxId"] = filter.InboxId, ["threadId"] = filter.ThreadId, ["state"] = filter.State }, page, Map, ct);
    }

    public Task AddVersionAsync(DraftVersion version, CancellationToken ct = default) => db.ExecuteAsync(
        "INSERT INTO draft_versions (draft_id, version, payload_json, edited_by, created_at) VALUES (@DraftId, @Version, @PayloadJson, @EditedBy, @CreatedAt)",
        new { version.DraftId, version.Version, PayloadJson = StoredJson.Write(version.Content), version.EditedBy, CreatedAt = Time.Ms(version.CreatedAt) }, ct);

    public async Task<IReadOnlyList<DraftVersion>> ListVersionsAsync(string draftId, CancellationToken ct = default) =>
        (await db.QueryAsync<VersionRow>(
            "SELECT draft_id, version, payload_json, edited_by, created_at FROM draft_versions WHERE draft_id = @draftId ORDER BY version", new { draftId }, ct))
        .Select(r => new DraftVersion(r.DraftId, (int)r.Version, StoredJson.Read<DraftContent?>(r.PayloadJson, null) ?? new DraftContent { Text = "" },
            r.EditedBy, Time.At(r.CreatedAt)))
        .ToList();

    public async Task<IReadOnlyList<Draft>> ListPendingInThreadAsync(string threadId, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>($"SELECT {Columns} FROM drafts WHERE thread_id = @threadId AND state = 'pending' ORDER BY id{ForUpdate}", new { threadId }, ct))
        .Select(Map).ToList();

    public async Task<IReadOnlyList<Draft>> ListDueForEscalationAsync(DateTimeOffset now, int limit, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>(
            $"SELECT {Columns} FROM drafts WHERE state = 'pending' AND escalation_due_at <= @now ORDER BY escalation_due_at LIMIT @limit",
            new { now = Time.Ms(now), limit }, ct)).Select(Map).ToList();

    public async Task<bool> ClaimEscalationAsync(string id, DateTimeOffset at, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "UPDATE drafts SET escalation_due_at = NULL, escalated_at = @at WHERE id = @id AND state = 'pending' AND escalation_due_at IS NOT NULL",
            new { id, at = Time.Ms(at) }, ct) == 1;

    public Task QueueAnnouncementAsync(string id, DateTimeOffset due, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE drafts SET announce_due_at = @due WHERE id = @id", new { id, due = Time.Ms(due) }, ct);

    /// <summary>Through ix_drafts_announce, which holds only the queued announcements.</summary>
    public async Task<IReadOnlyList<Draft>> ListDueForAnnouncementAsync(DateTimeOffset now, int limit, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>(
            $"SELECT {Columns} FROM drafts WHERE announce_due_at IS NOT NULL AND announce_due_at <= @now " +
            "ORDER BY announce_due_at LIMIT @limit", new { now = Time.Ms(now), limit }, ct)).Select(Map).ToList();

    public async Task<bool> ClaimAnnouncementAsync(string id, CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE drafts SET announce_due_at = NULL WHERE id = @id AND announce_due_at IS NOT NULL", new { id }, ct) == 1;

    private string ForUpdate => db.Provider == DatabaseProvider.Postgres ? " FOR UPDATE" : "";

    private async Task<Draft?> One(string where, object args, string suffix, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM drafts WHERE {where}{suffix}", args, ct);
        return row is null ? null : Map(row);
    }
}

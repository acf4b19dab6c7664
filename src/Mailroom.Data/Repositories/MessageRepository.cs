using Mailroom.Core.Common;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;

namespace Mailroom.Data.Repositories;

public sealed class MessageRepository(MailroomDatabase db) : IMessageRepository, IOrganizationMailRepository
{
    private const string Columns = "id, org_id, inbox_id, thread_id, direction, status, rfc_message_id, in_reply_to, references_json, " +
                                   "from_address, to_json, cc_json, bcc_json, reply_to_json, subject, preview, text_body, html_body, headers_json, " +
                                   "labels_json, size, raw_blob_key, auth_spf, auth_dkim, auth_dmarc, auth_results, draft_id, spool_id, timestamp, created_at, updated_at";

    /// <summary>What is read besides what is inserted: the spam check's verdict, written later by automations.</summary>
    private const string ReadColumns = Columns + ", spam_verdict, spam_score, spam_threshold";

    private const string AttachmentColumns = "id, org_id, message_id, filename, content_type, content_disposition, content_id, size, blob_key, created_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string? InboxId { get; set; }
        public string ThreadId { get; set; } = "";
        public string Direction { get; set; } = "";
        public string Status { get; set; } = "";
        public string? RfcMessageId { get; set; }
        public string? InReplyTo { get; set; }
        public string? ReferencesJson { get; set; }
        public string? FromAddress { get; set; }
        public string ToJson { get; set; } = "";
        public string? CcJson { get; set; }
        public string? BccJson { get; set; }
        public string? ReplyToJson { get; set; }
        public string? Subject { get; set; }
        public string? Preview { get; set; }
        public string? TextBody { get; set; }
        public string? HtmlBody { get; set; }
        public string HeadersJson { get; set; } = "";
        public string LabelsJson { get; set; } = "";
        public long Size { get; set; }
        public string? RawBlobKey { get; set; }
        public string? AuthSpf { get; set; }
        public string? AuthDkim { get; set; }
        public string? AuthDmarc { get; set; }
        public string? AuthResults { get; set; }
        public string? DraftId { get; set; }
        public string? SpoolId { get; set; }
        public long Timestamp { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public string? SpamVerdict { get; set; }
        public double? SpamScore { get; set; }
        public double? SpamThreshold { get; set; }
    }

    private sealed class AttachmentRow
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string MessageId { get; set; } = "";
        public string? Filename { get; set; }
        public string ContentType { get; set; } = "";
        public string? ContentDisposition { get; set; }
        public string? ContentId { get; set; }
        public long Size { get; set; }
        public string BlobKey { get; set; } = "";
        public long CreatedAt { get; set; }
    }

    private static Message Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, InboxId = r.InboxId, ThreadId = r.ThreadId, Direction = r.Direction, Status = r.Status,
        RfcMessageId = r.RfcMessageId, InReplyTo = r.InReplyTo, References = StoredJson.Read<List<string>>(r.ReferencesJson, []),
        From = r.FromAddress, To = StoredJson.Read<List<string>>(r.ToJson, []), Cc = StoredJson.Read<List<string>>(r.CcJson, []),
        Bcc = StoredJson.Read<List<string>>(r.BccJson, []), ReplyTo = StoredJson.Read<List<string>>(r.ReplyToJson, []),
        Subject = r.Subject, Preview = r.Preview, Text = r.TextBody, Html = r.HtmlBody,
        Headers = StoredJson.Read<List<KeyValuePair<string, string>>>(r.HeadersJson, []), Labels = StoredJson.Read<List<string>>(r.LabelsJson, []),
        Size = r.Size, RawBlobKey = r.RawBlobKey,
        Authentication = r.AuthSpf is null ? null : new MessageAuthentication(r.AuthSpf, r.AuthDkim ?? "none", r.AuthDmarc ?? "none", r.AuthResults),
        DraftId = r.DraftId, SpoolId = r.SpoolId, Timestamp = Time.At(r.Timestamp), CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
        Spam = r.SpamVerdict is null ? null : new Core.Automation.SpamVerdict(r.SpamVerdict, r.SpamScore, r.SpamThreshold),
    };

    private static Attachment MapAttachment(AttachmentRow r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, MessageId = r.MessageId, FileName = r.Filename, ContentType = r.ContentType,
        Disposition = r.ContentDisposition, ContentId = r.ContentId, Size = r.Size, BlobKey = r.BlobKey, CreatedAt = Time.At(r.CreatedAt),
    };

    public async Task CreateAsync(Message m, IReadOnlyList<Attachment> attachments, CancellationToken ct = default)
    {
        // A verdict known at reception (the check skipped) is stored with the message; otherwise the columns stay NULL until the check ran.
        var (spamColumns, spamValues) = m.Spam is null ? ("", "") : (", spam_verdict, spam_score, spam_threshold", ", @SpamVerdict, @SpamScore, @SpamThreshold");
        await db.ExecuteAsync(
            $"INSERT INTO messages ({Columns}{spamColumns}) VALUES (@Id, @OrgId, @InboxId, @ThreadId, @Direction, @Status, @RfcMessageId, @InReplyTo, " +
            "@ReferencesJson, @From, @ToJson, @CcJson, @BccJson, @ReplyToJson, @Subject, @Preview, @Text, @Html, @HeadersJson, @LabelsJson, " +
            $"@Size, @RawBlobKey, @AuthSpf, @AuthDkim, @AuthDmarc, @AuthResults, @DraftId, @SpoolId, @Timestamp, @CreatedAt, @UpdatedAt{spamValues})",
            new
            {
                m.Id, m.OrgId, m.InboxId, m.ThreadId, m.Direction, m.Status, m.RfcMessageId, m.InReplyTo,
                ReferencesJson = StoredJson.Write(m.References), m.From, ToJson = StoredJson.Write(m.To), CcJson = StoredJson.Write(m.Cc),
                BccJson = StoredJson.Write(m.Bcc), ReplyToJson = StoredJson.Write(m.ReplyTo), m.Subject, m.Preview, m.Text, m.Html,
                HeadersJson = StoredJson.Write(m.Headers), LabelsJson = StoredJson.Write(m.Labels), m.Size, m.RawBlobKey,
                AuthSpf = m.Authentication?.Spf, AuthDkim = m.Authentication?.Dkim, AuthDmarc = m.Authentication?.Dmarc,
                AuthResults = m.Authentication?.Results, m.DraftId, m.SpoolId, SpamVerdict = m.Spam?.Verdict, SpamScore = m.Spam?.Score,
                SpamThreshold = m.Spam?.Threshold,
                Timestamp = Time.Ms(m.Timestamp), CreatedAt = Time.Ms(m.CreatedAt), UpdatedAt = Time.Ms(m.UpdatedAt),
            }, ct);
        // The inbox's total, in the caller's transaction. Mail without an inbox (its inbox deleted, the mail kept) has none to count.
        if (m.InboxId is not null) await db.AddToInboxCountsAsync(m.InboxId, messages: 1, threads: 0, ct);
        foreach (var a in attachments)
            await db.ExecuteAsync(
                $"INSERT INTO attachments ({AttachmentColumns}) VALUES (@Id, @OrgId, @MessageId, @FileName, @ContentType, @Disposition, @ContentId, @Size, @BlobKey, @CreatedAt)",
                new { a.Id, a.OrgId, a.MessageId, a.FileName, a.ContentType, a.Disposition, a.ContentId, a.Size, a.BlobKey, CreatedAt = Time.Ms(a.CreatedAt) }, ct);
    }

    public async Task<Message?> FindWithoutInboxAsync(string orgId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM messages WHERE org_id = @orgId AND id = @id AND inbox_id IS NULL", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<Message?> GetAsync(string orgId, string inboxId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {ReadColumns} FROM messages WHERE org_id = @orgId AND inbox_id = @inboxId AND id = @id", new { orgId, inboxId, id }, ct);
        return row is null ? null : Map(row);
    }

    /// <summary>Newest first; the ids come from ix_messages_inbox_list alone and the total from the inbox's counter.</summary>
    public Task<Page<Message>> ListAsync(string orgId, string inboxId, PageRequest page, CancellationToken ct = default) =>
        db.PageThroughIndexAsync<Row, Message>("messages", ReadColumns,
            "SELECT id FROM messages WHERE inbox_id = @inboxId AND org_id = @orgId ORDER BY timestamp DESC, id DESC", "timestamp DESC, id DESC",
            "SELECT COALESCE((SELECT message_count FROM inboxes WHERE org_id = @orgId AND id = @inboxId), 0)",
            new() { ["orgId"] = orgId, ["inboxId"] = inboxId }, page, Map, ct);

    public async Task<IReadOnlyList<Message>> ListByThreadAsync(string orgId, string threadId, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>($"SELECT {ReadColumns} FROM messages WHERE org_id = @orgId AND thread_id = @threadId ORDER BY timestamp, id",
            new { orgId, threadId }, ct)).Select(Map).ToList();

    /// <summary>Through ix_messages_thread_latest: the newest rows first, stopping at the limit.</summary>
    public async Task<IReadOnlyList<Message>> ListNewestInThreadAsync(string orgId, string threadId, int limit, string? direction = null,
        CancellationToken ct = default)
    {
        var rows = await db.QueryAsync<Row>(
            $"SELECT {ReadColumns} FROM messages WHERE thread_id = @threadId AND org_id = @orgId" +
            (direction is null ? "" : " AND direction = @direction") + " ORDER BY timestamp DESC, id DESC LIMIT @limit",
            new { orgId, threadId, direction, limit }, ct);
        return rows.Select(Map).Reverse().ToList();
    }

    /// <summary>A range of ix_messages_thread_latest: only the later messages are looked at, and no row is mapped.</summary>
    public async Task<bool> AnyLaterInThreadAsync(string orgId, string threadId, DateTimeOffset after, string exceptId, string direction,
        CancellationToken ct = default) =>
        await db.QuerySingleOrDefaultAsync<int?>(
            "SELECT 1 FROM messages WHERE thread_id = @threadId AND timestamp > @after AND org_id = @orgId AND direction = @direction AND id <> @exceptId LIMIT 1",
            new { orgId, threadId, after = Time.Ms(after), exceptId, direction }, ct) is not null;

    public async Task<Message?> GetInThreadAsync(string orgId, string threadId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {ReadColumns} FROM messages WHERE id = @id AND org_id = @orgId AND thread_id = @threadId", new { orgId, threadId, id }, ct);
        return row is null ? null : Map(row);
    }

    public Task UpdateLabelsAsync(Message m, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE messages SET labels_json = @LabelsJson, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id",
        new { m.Id, m.OrgId, LabelsJson = StoredJson.Write(m.Labels), UpdatedAt = Time.Ms(m.UpdatedAt) }, ct);

    public Task UpdateStatusAsync(string id, string status, DateTimeOffset at, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE messages SET status = @status, updated_at = @at WHERE id = @id", new { id, status, at = Time.Ms(at) }, ct);

    public async Task<string?> FindThreadByRfcIdsAsync(string inboxId, IReadOnlyCollection<string> rfcMessageIds, CancellationToken ct = default)
    {
        // Most recent first: a reply joins the thread of the newest message it names.
        foreach (var (list, args) in InList.Chunks(rfcMessageIds, new() { ["inboxId"] = inboxId }))
        {
            var threadId = await db.QuerySingleOrDefaultAsync<string>(
                $"SELECT thread_id FROM messages WHERE inbox_id = @inboxId AND rfc_message_id IN ({list}) ORDER BY timestamp DESC LIMIT 1", args, ct);
            if (threadId is not null) return threadId;
        }
        return null;
    }

    public async Task<IReadOnlyList<Attachment>> ListAttachmentsAsync(string messageId, CancellationToken ct = default) =>
        (await db.QueryAsync<AttachmentRow>($"SELECT {AttachmentColumns} FROM attachments WHERE message_id = @messageId ORDER BY id", new { messageId }, ct))
        .Select(MapAttachment).ToList();

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Attachment>>> ListAttachmentsOfMessagesAsync(
        IReadOnlyCollection<string> messageIds, CancellationToken ct = default)
    {
        var byMessage = messageIds.Distinct().ToDictionary(id => id, _ => new List<Attachment>());
        foreach (var (list, args) in InList.Chunks(byMessage.Keys))
            foreach (var row in await db.QueryAsync<AttachmentRow>(
                         $"SELECT {AttachmentColumns} FROM attachments WHERE message_id IN ({list}) ORDER BY message_id, id", args, ct))
                byMessage[row.MessageId].Add(MapAttachment(row));
        return byMessage.ToDictionary(entry => entry.Key, entry => (IReadOnlyList<Attachment>)entry.Value);
    }

    public async Task<Attachment?> GetAttachmentAsync(string orgId, string messageId, string attachmentId, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<AttachmentRow>(
            $"SELECT {AttachmentColumns} FROM attachments WHERE org_id = @orgId AND message_id = @messageId AND id = @attachmentId",
            new { orgId, messageId, attachmentId }, ct);
        return row is null ? null : MapAttachment(row);
    }

    public async Task<Attachment?> FindAttachmentAsync(string attachmentId, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<AttachmentRow>(
            $"SELECT {AttachmentColumns} FROM attachments WHERE id = @attachmentId", new { attachmentId }, ct);
        return row is null ? null : MapAttachment(row);
    }

    public Task<Page<Message>> SearchAsync(string orgId, MessageSearch search, PageRequest page, CancellationToken ct = default)
    {
        var args = new Dictionary<string, object?> { ["orgId"] = orgId };
        var where = new List<string> { "org_id = @orgId" };
        if (search.InboxId is not null)
        {
            where.Add("inbox_id = @inboxId");
            args["inboxId"] = search.InboxId;
        }
        void Contains(string name, string? value, params string[] columns)
        {
            if (string.IsNullOrEmpty(value)) return;
            args[name] = "%" + EscapeLike(value.ToLowerInvariant()) + "%";
            where.Add("(" + string.Join(" OR ", columns.Select(c => $"lower({c}) LIKE @{name} ESCAPE '\\'")) + ")");
        }
        Contains("fromPart", search.From, "from_address");
        Contains("recipientPart", search.Recipient, "to_json", "cc_json");
        Contains("subjectPart", search.Subject, "subject");
        Contains("textPart", search.Text, "subject", "text_body");
        // Labels are stored as a JSON array of strings: each label is looked for as its JSON string, quotes included.
        var labels = search.Labels ?? [];
        for (var i = 0; i < labels.Count; i++)
        {
            args["label" + i] = "%" + EscapeLike(StoredJson.Write(labels[i])) + "%";
            where.Add($"labels_json LIKE @label{i} ESCAPE '\\'");
        }
        if (search.After is { } after)
        {
            where.Add("timestamp >= @after");
            args["after"] = Time.Ms(after);
        }
        if (search.Before is { } before)
        {
            where.Add("timestamp < @before");
            args["before"] = Time.Ms(before);
        }
        var filter = string.Join(" AND ", where);
        return db.PageAsync<Row, Message>($"SELECT {Columns} FROM messages WHERE {filter} ORDER BY timestamp DESC, id DESC",
            $"SELECT COUNT(*) FROM messages WHERE {filter}", args, page, Map, ct);
    }

    private static string EscapeLike(string value) => value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    public async Task<Message?> FindByRfcIdAsync(string inboxId, string rfcMessageId, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {ReadColumns} FROM messages WHERE inbox_id = @inboxId AND rfc_message_id = @rfcMessageId ORDER BY timestamp DESC LIMIT 1",
            new { inboxId, rfcMessageId }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<IReadOnlySet<(string InboxId, string SpoolId)>> DeliveredFromSpoolAsync(IReadOnlyCollection<string> spoolIds, CancellationToken ct = default)
    {
        var delivered = new HashSet<(string, string)>();
        foreach (var (list, args) in InList.Chunks(spoolIds))
            foreach (var row in await db.QueryAsync<(string, string)>($"SELECT inbox_id, spool_id FROM messages WHERE spool_id IN ({list})", args, ct))
                delivered.Add(row);
        return delivered;
    }

    public Task MarkSentAsAsync(string messageId, string sentAs, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE messages SET sent_as = @sentAs WHERE id = @messageId", new { messageId, sentAs }, ct);

    public async Task<Message?> GetSentWithoutInboxAsync(string orgId, string messageId, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM messages WHERE org_id = @orgId AND id = @messageId AND sent_as IS NOT NULL", new { orgId, messageId }, ct);
        return row is null ? null : Map(row);
    }
}

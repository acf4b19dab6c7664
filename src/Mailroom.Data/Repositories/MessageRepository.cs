using Mailroom.Core.Common;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;

namespace Mailroom.Data.Repositories;

/// <param name="fewTextMatches">On SQLite, how many full-text matches are few enough to drive a search (see SearchAsync).</param>
public sealed class MessageRepository(MailroomDatabase db, int fewTextMatches = 500) : IMessageRepository, IOrganizationMailRepository, IMessageSearchIndexer
{
    private const string Columns = "id, org_id, inbox_id, thread_id, direction, status, rfc_message_id, in_reply_to, references_json, " +
                                   "from_address, to_json, cc_json, bcc_json, reply_to_json, subject, preview, text_body, html_body, headers_json, " +
                                   "labels_json, size, raw_blob_key, auth_spf, auth_dkim, auth_dmarc, auth_results, draft_id, spool_id, timestamp, created_at, updated_at";

    /// <summary>What is read besides what is inserted: the spam check's verdict, written later by automations, and the thread's spam flag.</summary>
    private const string ReadColumns = Columns + ", spam_verdict, spam_score, spam_threshold, spam";

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
        public bool Spam { get; set; }
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
        InSpamThread = r.Spam,
    };

    private static Attachment MapAttachment(AttachmentRow r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, MessageId = r.MessageId, FileName = r.Filename, ContentType = r.ContentType,
        Disposition = r.ContentDisposition, ContentId = r.ContentId, Size = r.Size, BlobKey = r.BlobKey, CreatedAt = Time.At(r.CreatedAt),
    };

    public async Task CreateAsync(Message m, IReadOnlyList<Attachment> attachments, CancellationToken ct = default)
    {
        // A verdict known at reception (the check skipped) is stored with the message; otherwise the columns stay NULL until the
        // check ran. The thread's spam flag is written only for a spam thread (the column's default is false).
        var (spamColumns, spamValues) = m.Spam is null ? ("", "") : (", spam_verdict, spam_score, spam_threshold", ", @SpamVerdict, @SpamScore, @SpamThreshold");
        if (m.InSpamThread) (spamColumns, spamValues) = (spamColumns + ", spam", spamValues + ", @InSpamThread");
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
                SpamThreshold = m.Spam?.Threshold, m.InSpamThread,
                Timestamp = Time.Ms(m.Timestamp), CreatedAt = Time.Ms(m.CreatedAt), UpdatedAt = Time.Ms(m.UpdatedAt),
            }, ct);
        // The inbox's total, in the caller's transaction. Mail without an inbox (its inbox deleted, the mail kept) has none to count.
        if (m.InboxId is not null) await db.AddToInboxCountsAsync(m.InboxId, new(Messages: 1, Threads: 0, SpamMessages: m.InSpamThread ? 1 : 0, SpamThreads: 0), ct);
        // Search's index rows come after the commit: a trigger queues the message for IndexQueuedAsync (migration 0020);
        // PostgreSQL's text_vector is generated with the row.
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

    /// <summary>
    /// Newest first; the ids come from ix_messages_inbox_list (inbox, spam flag, time) alone and the total from the inbox's
    /// counters: all of its messages less the spam ones, or the spam ones.
    /// </summary>
    public Task<Page<Message>> ListAsync(string orgId, string inboxId, bool spam, PageRequest page, CancellationToken ct = default) =>
        db.PageThroughIndexAsync<Row, Message>("messages", ReadColumns,
            "SELECT id FROM messages WHERE inbox_id = @inboxId AND spam = @spam AND org_id = @orgId ORDER BY timestamp DESC, id DESC",
            "timestamp DESC, id DESC",
            $"SELECT COALESCE((SELECT {(spam ? "spam_message_count" : "message_count - spam_message_count")} FROM inboxes WHERE org_id = @orgId AND id = @inboxId), 0)",
            new() { ["orgId"] = orgId, ["inboxId"] = inboxId, ["spam"] = spam }, page, Map, ct);

    public async Task<IReadOnlyList<Message>> ListByThreadAsync(string orgId, string threadId, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>($"SELECT {ReadColumns} FROM messages WHERE org_id = @orgId AND thread_id = @threadId ORDER BY timestamp, id",
            new { orgId, threadId }, ct)).Select(Map).ToList();

    /// <summary>The labels and their rows in message_terms change together, in the caller's transaction or one of their own.</summary>
    public Task UpdateLabelsAsync(Message m, CancellationToken ct = default) => db.InTransactionAsync(async () =>
    {
        var updated = await db.ExecuteAsync(
            "UPDATE messages SET labels_json = @LabelsJson, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id",
            new { m.Id, m.OrgId, LabelsJson = StoredJson.Write(m.Labels), UpdatedAt = Time.Ms(m.UpdatedAt) }, ct);
        if (updated == 0) return false;
        // A message still queued has no rows yet: the indexer reads its labels when it indexes it. On PostgreSQL the
        // UPDATE above waited for an indexer holding the row, so the queue read here is that indexer's outcome.
        if (await db.ScalarAsync<bool>($"SELECT EXISTS ({QueuedSql("@Id")})", new { m.Id }, ct)) return true;
        await db.ExecuteAsync("DELETE FROM message_terms WHERE message_id = @Id AND field = 'label'", new { m.Id }, ct);
        await InsertTermsAsync(m, m.Labels.Distinct().Select(label => (LabelField, label)), ct);
        return true;
    }, ct);

    /// <summary>The queue row (migration 0020) of the message whose id is <paramref name="id"/>, if it is not indexed yet.</summary>
    private string QueuedSql(string id) => db.Provider == DatabaseProvider.Sqlite
        ? $"SELECT 1 FROM message_index_queue q JOIN messages qm ON qm.rowid = q.message_rowid WHERE qm.id = {id}"
        : $"SELECT 1 FROM message_index_queue q WHERE q.message_id = {id}";

    public Task<bool> AnyQueuedAsync(CancellationToken ct = default) =>
        db.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM message_index_queue)", null, ct);

    /// <summary>
    /// Indexes up to <paramref name="batchSize"/> queued messages in one background transaction: their message_terms rows
    /// (from the message as it is now, labels included), on SQLite their message_text rows, and their queue rows deleted,
    /// all together, so that each message is indexed once. On PostgreSQL the batch is claimed with SKIP LOCKED, queue rows
    /// and messages both: another indexer takes other messages, and a message being relabeled or deleted waits for the
    /// next batch (its writer, holding the row, then sees it queued or indexed, never half-way).
    /// </summary>
    private const int SqliteIndexChunk = 32;

    /// <summary>On SQLite, the only writer: the chunk is the queue's lowest rowids, up to the last one read.</summary>
    private async Task<int> IndexQueuedChunkAsync(int size, CancellationToken ct)
    {
        var last = await db.ScalarAsync<long?>(
            "SELECT MAX(message_rowid) FROM (SELECT message_rowid FROM message_index_queue ORDER BY message_rowid LIMIT @size)", new { size }, ct);
        if (last is null) return 0;
        const string batch = "SELECT message_rowid FROM message_index_queue WHERE message_rowid <= @last";
        var messages = (await db.QueryAsync<Row>($"SELECT {TermColumns} FROM messages m WHERE rowid IN ({batch})", new { last }, ct)).Select(MapTerms).ToList();
        await InsertTermsAsync(messages.SelectMany(m => Terms(m).Select(t => (m, t.Field, t.Term))), ct);
        await db.ExecuteAsync($"INSERT INTO message_text (rowid, subject, text_body) SELECT rowid, subject, text_body FROM messages WHERE rowid IN ({batch})",
            new { last }, ct);
        await db.ExecuteAsync("DELETE FROM message_index_queue WHERE message_rowid <= @last", new { last }, ct);
        return messages.Count;
    }

    /// <summary>
    /// A queue this long makes a sparse search filter that many messages: the indexer then stops waiting for mail to
    /// pause (SQLite), and only lets waiting mail go first.
    /// </summary>
    private const int QueueBehind = 2_000;

    public async Task<int> IndexQueuedAsync(int batchSize, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var behind = db.Provider == DatabaseProvider.Sqlite &&
                     await db.ScalarAsync<long>("SELECT COUNT(*) FROM (SELECT 1 FROM message_index_queue LIMIT @limit)", new { limit = QueueBehind }, ct) >= QueueBehind;
        return behind ? await db.InBackgroundTransactionBehindAsync(() => IndexQueuedInTransactionAsync(batchSize, ct), ct)
            : await db.InBackgroundTransactionAsync(() => IndexQueuedInTransactionAsync(batchSize, ct), ct);
    }

    private async Task<int> IndexQueuedInTransactionAsync(int batchSize, CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // In chunks, so that the batch commits early when mail waits for the writer (its 10 ms slice spent).
            var indexed = 0;
            while (indexed < batchSize && (indexed == 0 || !db.BackgroundShouldYield))
            {
                var chunk = await IndexQueuedChunkAsync(Math.Min(SqliteIndexChunk, batchSize - indexed), ct);
                if (chunk == 0) break;
                indexed += chunk;
            }
            return indexed;
        }
        var claimed = (await db.QueryAsync<Row>(
            $"SELECT {TermColumns} FROM message_index_queue q JOIN messages m ON m.id = q.message_id " +
            // The rows' inbox too (their message_terms rows' key refers to it): an inbox being deleted holds its row and
            // then waits for its messages, so an indexer waiting for that inbox while holding one of them would deadlock.
            "WHERE m.inbox_id IS NULL OR EXISTS (SELECT 1 FROM inboxes i WHERE i.id = m.inbox_id FOR KEY SHARE SKIP LOCKED) " +
            "ORDER BY q.message_id LIMIT @batchSize FOR UPDATE OF q SKIP LOCKED FOR NO KEY UPDATE OF m SKIP LOCKED", new { batchSize }, ct)).Select(MapTerms).ToList();
        await InsertTermsAsync(claimed.SelectMany(m => Terms(m).Select(t => (m, t.Field, t.Term))), ct);
        foreach (var (list, args) in InList.Chunks(claimed.Select(m => m.Id)))
            await db.ExecuteAsync($"DELETE FROM message_index_queue WHERE message_id IN ({list})", args, ct);
        return claimed.Count;
    }

    /// <summary>What the indexer reads of a message: what message_terms rows are made of (FTS5 reads the text itself).</summary>
    private const string TermColumns = "m.id, m.org_id, m.inbox_id, m.timestamp, m.from_address, m.to_json, m.cc_json, m.labels_json";

    private static Message MapTerms(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, InboxId = r.InboxId, ThreadId = r.ThreadId, Direction = r.Direction, From = r.FromAddress,
        To = StoredJson.Read<List<string>>(r.ToJson, []), Cc = StoredJson.Read<List<string>>(r.CcJson, []),
        Labels = StoredJson.Read<List<string>>(r.LabelsJson, []), Timestamp = Time.At(r.Timestamp),
    };

    private const string FromField = "from";
    private const string RecipientField = "to";
    private const string LabelField = "label";

    /// <summary>What message_terms holds for a message: its sender's address, each To and Cc address and each label, each once.</summary>
    private static HashSet<(string Field, string Term)> Terms(Message m)
    {
        var terms = new HashSet<(string, string)>();
        if (MessageSearchTerms.Address(m.From) is { } from) terms.Add((FromField, from));
        foreach (var recipient in m.To.Concat(m.Cc))
            if (MessageSearchTerms.Address(recipient) is { } address) terms.Add((RecipientField, address));
        foreach (var label in m.Labels) terms.Add((LabelField, label));
        return terms;
    }

    private Task InsertTermsAsync(Message m, IEnumerable<(string Field, string Term)> terms, CancellationToken ct) =>
        InsertTermsAsync(terms.Select(t => (m, t.Field, t.Term)), ct);

    /// <summary>
    /// One statement per 500 rows (a batch of the indexer, or one message's labels). A row already there is left as it
    /// is: mail copied in SQL with its terms (bench/api/fill-by-copy.py) is queued all the same.
    /// </summary>
    private async Task InsertTermsAsync(IEnumerable<(Message M, string Field, string Term)> terms, CancellationToken ct)
    {
        foreach (var chunk in terms.Chunk(500))
        {
            var args = new Dictionary<string, object?>();
            var rows = new List<string>();
            foreach (var (m, field, term) in chunk)
            {
                var i = rows.Count;
                (args["m" + i], args["f" + i], args["t" + i], args["o" + i], args["b" + i], args["s" + i]) =
                    (m.Id, field, term, m.OrgId, m.InboxId, Time.Ms(m.Timestamp));
                rows.Add($"(@m{i}, @f{i}, @t{i}, @o{i}, @b{i}, @s{i})");
            }
            await db.ExecuteAsync(
                $"INSERT INTO message_terms (message_id, field, term, org_id, inbox_id, timestamp) VALUES {string.Join(", ", rows)} ON CONFLICT DO NOTHING", args, ct);
        }
    }

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

    /// <summary>
    /// One index walk, newest first, that stops once the page is full: the first address or label criterion drives
    /// through message_terms (the inbox's index or the organization's), the other ones are point lookups in its primary
    /// key; without any, the messages' own (inbox or organization, time) index drives. The position is a strict
    /// (timestamp, id) bound, so a message stored between two pages never shifts the next one.
    /// Words use the full-text index (SQLite's message_text, PostgreSQL's ix_messages_text on text_vector), which finds
    /// all of a word's matches at once, so they drive only when they are few: SQLite counts them up to
    /// <c>fewTextMatches</c> first (a bounded count) and otherwise filters the walk by the set of matches; PostgreSQL,
    /// whose planner cannot tell a rare prefix from a common one, first filters the newest <see cref="TextWindow"/>
    /// messages the walk reaches, which fills the page when the words are common, and otherwise lets the index find
    /// them all. A word that very many messages hold, but not the newest ones, costs what they number (docs/benchmarks.md).
    /// </summary>
    public async Task<MessageSearchPage> SearchAsync(string orgId, MessageSearch search, MessagePosition? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var args = new Dictionary<string, object?> { ["orgId"] = orgId, ["limit"] = limit + 1, ["window"] = TextWindow };
        var terms = new List<(string Field, string Term)>();
        if (MessageSearchTerms.Address(search.From) is { } from) terms.Add((FromField, from));
        if (MessageSearchTerms.Address(search.Recipient) is { } recipient) terms.Add((RecipientField, recipient));
        foreach (var label in search.Labels ?? []) terms.Add((LabelField, label));
        for (var i = 0; i < terms.Count; i++)
        {
            args["field" + i] = terms[i].Field;
            args["term" + i] = terms[i].Term;
        }
        if (search.InboxId is not null) args["inboxId"] = search.InboxId;
        if (search.After is { } notBefore) args["after"] = Time.Ms(notBefore);
        if (search.Before is { } before) args["before"] = Time.Ms(before);
        if (after is { } position)
        {
            args["positionTimestamp"] = Time.Ms(position.Timestamp);
            args["positionId"] = position.MessageId;
        }
        var (subjectWords, textWords) = (MessageSearchTerms.Words(search.Subject), MessageSearchTerms.Words(search.Text));
        var text = FullText(subjectWords, textWords, args).ToList();
        var walk = terms.Count > 0 ? Drive.Terms : Drive.Messages;
        // Read before the indexes: a message indexed in between is then found by one read or the other, never by neither.
        // Without addresses or labels (and on PostgreSQL, whose text_vector holds every message, without words) the walk
        // reads messages itself and finds queued ones too.
        var queued = terms.Count > 0 || (text.Count > 0 && db.Provider == DatabaseProvider.Sqlite) ? await QueuedMatchesAsync() : [];

        // The query for one way to drive: its source, its conditions (the words among them or not) and its order.
        string Query(Drive drive, bool withText, string columns, string? order = null, bool window = false)
        {
            var where = new List<string>();
            string source, timestamp, id;
            switch (drive)
            {
                case Drive.SqliteText:
                    // CROSS JOIN keeps SQLite from reordering: the few matches first, then their messages by rowid.
                    (source, timestamp, id) = ("message_text CROSS JOIN messages m ON m.rowid = message_text.rowid", "m.timestamp", "m.id");
                    where.Add("message_text MATCH @textQuery");
                    break;
                case Drive.Terms:
                    (source, timestamp, id) = ("message_terms d JOIN messages m ON m.id = d.message_id", "d.timestamp", "d.message_id");
                    where.Add(search.InboxId is null ? "d.org_id = @orgId" : "d.inbox_id = @inboxId");
                    where.Add("d.field = @field0 AND d.term = @term0");
                    break;
                default:
                    (source, timestamp, id) = ("messages m", "m.timestamp", "m.id");
                    break;
            }
            if (withText) where.AddRange(text);
            where.Add("m.org_id = @orgId");
            if (search.InboxId is not null) where.Add("m.inbox_id = @inboxId");
            for (var i = drive == Drive.Terms ? 1 : 0; i < terms.Count; i++)
                where.Add($"EXISTS (SELECT 1 FROM message_terms x WHERE x.message_id = m.id AND x.field = @field{i} AND x.term = @term{i})");
            if (search.After is not null) where.Add($"{timestamp} >= @after");
            if (search.Before is not null) where.Add($"{timestamp} < @before");
            if (after is not null) where.Add($"({timestamp}, {id}) < (@positionTimestamp, @positionId)");
            // A window hands its order on by name, so that the query around it reads it in that order without sorting it.
            if (window) columns = $"{columns}, {timestamp} AS walk_timestamp, {id} AS walk_id";
            return $"SELECT {columns} FROM {source} WHERE {string.Join(" AND ", where)} ORDER BY {order ?? $"{timestamp} DESC, {id} DESC"} " +
                   $"LIMIT {(window ? "@window" : "@limit")}";
        }

        List<Message> rows;
        if (text.Count == 0)
            rows = await RowsAsync(Query(walk, withText: false, SearchColumns));
        else if (db.Provider == DatabaseProvider.Sqlite)
        {
            var few = await db.ScalarAsync<long>("SELECT COUNT(*) FROM (SELECT 1 FROM message_text WHERE message_text MATCH @textQuery LIMIT @few)",
                new { textQuery = args["textQuery"], few = fewTextMatches }, ct) < fewTextMatches;
            rows = await RowsAsync(few ? Query(Drive.SqliteText, withText: false, SearchColumns) : Query(walk, withText: true, SearchColumns));
        }
        else
        {
            rows = await RowsAsync($"SELECT {SearchColumns} FROM ({Query(walk, withText: false, "m.*", window: true)}) m " +
                                   $"WHERE {string.Join(" AND ", text)} ORDER BY m.walk_timestamp DESC, m.walk_id DESC LIMIT @limit");
            // Not a full page among the newest: the words are rare here, and the GIN index finds them (an order no index
            // holds keeps the planner from walking the time order again).
            if (rows.Count <= limit)
                rows = await RowsAsync(Query(Drive.Messages, withText: true, SearchColumns, order: "m.timestamp + 0 DESC, m.id DESC"));
        }
        if (queued.Count > 0)
        {
            // Both reads hold the first limit + 1 of their part in the walk's order: the page is the first limit + 1 of
            // them together, ordered by the database, as the walk is (a message indexed meanwhile is in both).
            var found = new Dictionary<string, Message>();
            foreach (var m in rows.Concat(queued)) found.TryAdd(m.Id, m);
            var orderArgs = new Dictionary<string, object?> { ["limit"] = limit + 1 };
            foreach (var id in found.Keys) orderArgs["o" + orderArgs.Count] = id;
            var order = await db.QueryAsync<string>(
                $"SELECT m.id FROM messages m WHERE m.id IN ({string.Join(", ", orderArgs.Keys.Skip(1).Select(k => "@" + k))}) ORDER BY m.timestamp DESC, m.id DESC LIMIT @limit",
                orderArgs, ct);
            rows = order.Select(id => found[id]).ToList();
        }
        if (rows.Count <= limit) return new MessageSearchPage(rows, null);
        rows.RemoveAt(limit);
        return new MessageSearchPage(rows, new MessagePosition(rows[^1].Timestamp, rows[^1].Id));

        async Task<List<Message>> RowsAsync(string sql) => (await db.QueryAsync<Row>(sql, args, ct)).Select(Map).ToList();

        // Messages stored but not indexed yet (migration 0020's queue, as long as the indexer's lag), filtered by the
        // criteria the indexes would answer, newest first, until limit + 1 match: the same terms the indexer writes and,
        // on SQLite, words as prefixes of the words of MessageSearchTerms.Words (PostgreSQL's text_vector holds every message).
        async Task<List<Message>> QueuedMatchesAsync()
        {
            var sqlite = db.Provider == DatabaseProvider.Sqlite;
            var where = new List<string> { "m.org_id = @orgId" };
            if (search.InboxId is not null) where.Add("m.inbox_id = @inboxId");
            if (search.After is not null) where.Add("m.timestamp >= @after");
            if (search.Before is not null) where.Add("m.timestamp < @before");
            if (after is not null) where.Add("(m.timestamp, m.id) < (@positionTimestamp, @positionId)");
            if (!sqlite) where.AddRange(text);
            var source = sqlite ? "message_index_queue q CROSS JOIN messages m ON m.rowid = q.message_rowid" : "message_index_queue q JOIN messages m ON m.id = q.message_id";
            var sql = $"SELECT {SearchColumns} FROM {source} WHERE {string.Join(" AND ", where)} AND {{0}} ORDER BY m.timestamp DESC, m.id DESC LIMIT {QueuedBatch}";
            var matches = new List<Message>();
            var batchArgs = new Dictionary<string, object?>(args);
            var bound = "1 = 1";
            while (true)
            {
                var batch = (await db.QueryAsync<Row>(string.Format(sql, bound), batchArgs, ct)).Select(Map).ToList();
                foreach (var m in batch)
                {
                    var indexed = Terms(m);
                    if (!terms.All(indexed.Contains)) continue;
                    if (sqlite && !(AllBegin(subjectWords, MessageSearchTerms.Words(m.Subject))
                                    && AllBegin(textWords, MessageSearchTerms.Words(m.Subject).Concat(MessageSearchTerms.Words(m.Text)).ToList()))) continue;
                    matches.Add(m);
                    if (matches.Count > limit) return matches;
                }
                if (batch.Count < QueuedBatch) return matches;
                (batchArgs["queuedTimestamp"], batchArgs["queuedId"]) = (Time.Ms(batch[^1].Timestamp), batch[^1].Id);
                bound = "(m.timestamp, m.id) < (@queuedTimestamp, @queuedId)";
            }
        }

        static bool AllBegin(IReadOnlyList<string> queryWords, IReadOnlyList<string> words) =>
            queryWords.All(w => words.Any(word => word.StartsWith(w, StringComparison.Ordinal)));
    }

    private enum Drive { Messages, Terms, SqliteText }

    /// <summary>How many queued messages a search filters per read of the queue.</summary>
    private const int QueuedBatch = 200;

    /// <summary>On PostgreSQL, how many of the newest messages a word search filters before it asks the text index.</summary>
    private const int TextWindow = 2000;

    private static readonly string SearchColumns = string.Join(", ", ReadColumns.Split(", ").Select(column => "m." + column));

    /// <summary>PostgreSQL's subject alone, made words as migration 0016 makes <c>text_vector</c> of subject and body.</summary>
    private const string PostgresSubject = "to_tsvector('simple'::regconfig, regexp_replace(coalesce(m.subject, ''), '[^[:alnum:]]+', ' ', 'g'))";

    /// <summary>
    /// Each word must begin a word of the subject (<paramref name="subjectWords"/>) or of the subject or text body
    /// (<paramref name="textWords"/>). Words hold letters and digits only, so they go into either query language as they are.
    /// </summary>
    private IEnumerable<string> FullText(IReadOnlyList<string> subjectWords, IReadOnlyList<string> textWords, Dictionary<string, object?> args)
    {
        if (subjectWords.Count + textWords.Count == 0) yield break;
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            args["textQuery"] = string.Join(" AND ", subjectWords.Select(w => $"subject : \"{w}\"*").Concat(textWords.Select(w => $"\"{w}\"*")));
            yield return "m.rowid IN (SELECT rowid FROM message_text WHERE message_text MATCH @textQuery)";
            yield break;
        }
        // The GIN index finds the words anywhere; those of the subject are checked there on the rows it found.
        args["textQuery"] = string.Join(" & ", subjectWords.Concat(textWords).Distinct().Select(w => w + ":*"));
        yield return "m.text_vector @@ to_tsquery('simple'::regconfig, @textQuery)";
        if (subjectWords.Count == 0) yield break;
        args["subjectQuery"] = string.Join(" & ", subjectWords.Select(w => w + ":*"));
        yield return $"{PostgresSubject} @@ to_tsquery('simple'::regconfig, @subjectQuery)";
    }

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

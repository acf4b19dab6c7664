using Dapper;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Organizations;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>
/// Migration 0003 (mail may outlive its inbox) on a database that already holds mail written under 0001 and 0002: on
/// SQLite it rebuilds threads, messages and drafts with foreign keys off, so every row must come through.
/// </summary>
public sealed class MailOutlivesInboxMigrationTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static readonly string[] Tables =
        ["organizations", "inboxes", "agents", "threads", "messages", "attachments", "drafts", "draft_versions", "outbound_deliveries", "blobs"];

    [Theory, MemberData(nameof(Providers))]
    public async Task Migration_0003_keeps_every_row_and_gives_each_thread_its_inbox_address(string provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        var migrator = new Migrator(db, TimeProvider.System);
        Assert.Equal([1, 2], await migrator.MigrateAsync(2));
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var orgId = Ids.New(Ids.Organization);
        await new OrganizationRepository(db).CreateAsync(new Organization { Id = orgId, Name = "o", InboxLimit = 5, DomainLimit = 2, CreatedAt = now, UpdatedAt = now });
        var ann = await InboxAsync(db, orgId, "Ann.Lee", now);
        var bob = await InboxAsync(db, orgId, "bob", now);
        var threads = new List<(string Id, string InboxId)>();
        foreach (var (inbox, n) in new[] { (ann, 0), (ann, 1), (bob, 2) })
            threads.Add((await MailAsync(db, inbox, n, now), inbox.Id));
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO agents (id, org_id, handle, inbox_id, created_at, updated_at) VALUES ('agt_1', @orgId, 'ann', @inboxId, 0, 0)",
                new { orgId, inboxId = ann.Id });
        }
        var before = await CountAsync(db);
        var ownersBefore = await OwnersAsync(db);

        Assert.Equal([3], await migrator.MigrateAsync(3));

        Assert.Equal(before, await CountAsync(db));
        Assert.Equal(ownersBefore, await OwnersAsync(db));
        await using var after = await db.OpenAsync();
        var addresses = (await after.QueryAsync<(string Id, string InboxAddress)>("SELECT id, inbox_address FROM threads")).ToDictionary(t => t.Id, t => t.InboxAddress);
        Assert.Equal(threads.ToDictionary(t => t.Id, t => t.InboxId == ann.Id ? "Ann.Lee@mailroom.local" : "bob@mailroom.local"), addresses);
        Assert.Equal(["ix_drafts_escalation", "ix_drafts_inbox_state", "ix_messages_inbox_time", "ix_messages_rfc_id", "ix_messages_thread",
            "ix_outbound_deliveries_due", "ix_outbound_deliveries_message", "ix_threads_inbox_activity", "ux_messages_spool"], await IndexesAsync(db));

        // The rebuilt tables still enforce their foreign keys (SQLite: the migrator turned them back on), and an inbox
        // row deleted now leaves its mail with no inbox instead of taking it along.
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => after.ExecuteAsync(
            "UPDATE messages SET thread_id = 'thr_missing' WHERE inbox_id = @inboxId", new { inboxId = bob.Id }));
        Assert.True(await new InboxRepository(db).DeleteAsync(orgId, ann.Id));
        Assert.Equal(before.Select(c => c.Table == "inboxes" ? (c.Table, c.Rows - 1) : c), await CountAsync(db));
        foreach (var (table, annsRows) in new[] { ("threads", 2L), ("messages", 2L), ("drafts", 2L), ("agents", 1L) })
            Assert.Equal(annsRows, await after.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE inbox_id IS NULL"));
        // Today's repository reads today's schema (it reads threads.spam, added by 0010): the later migrations first.
        await migrator.MigrateAsync();
        Assert.Equal("Ann.Lee@mailroom.local", (await new ThreadRepository(db).FindAsync(orgId, threads[0].Id))!.InboxAddress);
    }

    private static async Task<Inbox> InboxAsync(MailroomDatabase db, string orgId, string username, DateTimeOffset now)
    {
        // Written as SQL, as schema 0002 holds it: the repository writes the newer schema (0007 added assistant_id).
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = username, Domain = "mailroom.local", CreatedAt = now, UpdatedAt = now };
        await db.ExecuteAsync(
            "INSERT INTO inboxes (id, org_id, username, domain, address_key, status, thread_history_depth, can_send_cold, auto_approve_replies, " +
            "requires_approval, created_at, updated_at) VALUES (@Id, @OrgId, @Username, @Domain, @AddressKey, 'active', 10, @Yes, @Yes, @No, @At, @At)",
            new { inbox.Id, inbox.OrgId, inbox.Username, inbox.Domain, AddressKey = inbox.EmailAddress.ToLowerInvariant(), Yes = true, No = false, At = now.ToUnixTimeMilliseconds() });
        return inbox;
    }

    /// <summary>
    /// One thread of the inbox as schema 0002 holds it: a message with an attachment and an inline raw blob, a queued
    /// delivery, and a draft with one version. Threads, messages and drafts are written as SQL: the repositories write the newer schema.
    /// </summary>
    private static async Task<string> MailAsync(MailroomDatabase db, Inbox inbox, int n, DateTimeOffset now)
    {
        var threadId = Ids.New(Ids.Thread);
        var messageId = Ids.New(Ids.Message);
        var at = now.ToUnixTimeMilliseconds();
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO threads (id, org_id, inbox_id, subject, normalized_subject, preview, labels_json, senders_json, recipients_json, " +
                "message_count, size, last_message_id, received_at, sent_at, last_activity_at, created_at, updated_at) " +
                "VALUES (@threadId, @OrgId, @Id, 'Hello', 'hello', 'hi', '[]', '[]', '[]', 1, 10, @messageId, @at, NULL, @at, @at, @at)",
                new { threadId, inbox.OrgId, inbox.Id, messageId, at });
            await connection.ExecuteAsync("INSERT INTO blobs (key, data, created_at) VALUES (@key, @data, @at)",
                new { key = $"db/raw/{n}", data = new byte[] { 1, 2, 3 }, at });
            await connection.ExecuteAsync(
                "INSERT INTO drafts (id, org_id, inbox_id, thread_id, state, version, payload_json, notifications_json, created_at, updated_at) " +
                "VALUES (@draftId, @OrgId, @Id, @threadId, 'pending', 1, '{}', '[]', @at, @at)", new { draftId = $"drf_{n}", inbox.OrgId, inbox.Id, threadId, at });
            await connection.ExecuteAsync("INSERT INTO draft_versions (draft_id, version, payload_json, created_at) VALUES (@draftId, 1, '{}', @at)",
                new { draftId = $"drf_{n}", at });
        }
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO messages (id, org_id, inbox_id, thread_id, direction, status, rfc_message_id, from_address, to_json, subject, headers_json, " +
                "labels_json, size, raw_blob_key, timestamp, created_at, updated_at) VALUES (@messageId, @OrgId, @Id, @threadId, 'outbound', 'received', " +
                "@rfcId, @EmailAddress, '[\"someone@example.com\"]', 'Hello', '[]', '[]', 10, @rawKey, @at, @at, @at)",
                new { messageId, inbox.OrgId, inbox.Id, threadId, rfcId = $"{n}@x", inbox.EmailAddress, rawKey = $"db/raw/{n}", at });
            await connection.ExecuteAsync(
                "INSERT INTO attachments (id, org_id, message_id, content_type, size, blob_key, created_at) VALUES (@attachmentId, @OrgId, @messageId, 'text/plain', 1, @blobKey, @at)",
                new { attachmentId = Ids.New(Ids.Attachment), inbox.OrgId, messageId, blobKey = $"files/{n}", at });
        }
        await new OutboundDeliveryRepository(db).EnqueueAsync(new Core.Delivery.OutboundDelivery
        {
            Id = Ids.New(Ids.OutboundDelivery), OrgId = inbox.OrgId, MessageId = messageId, MailFrom = inbox.EmailAddress, Recipients = ["someone@example.com"],
            NextAttemptAt = now, ExpiresAt = now.AddDays(1), CreatedAt = now, UpdatedAt = now,
        });
        return threadId;
    }

    private static async Task<List<(string Table, long Rows)>> CountAsync(MailroomDatabase db)
    {
        await using var connection = await db.OpenAsync();
        var counts = new List<(string, long)>();
        foreach (var table in Tables) counts.Add((table, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")));
        return counts;
    }

    /// <summary>Who owns what: each thread's, message's and draft's inbox and each message's thread, as one sorted list.</summary>
    private static async Task<List<string>> OwnersAsync(MailroomDatabase db)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<string>(
                "SELECT 't ' || id || ' ' || inbox_id FROM threads UNION ALL SELECT 'm ' || id || ' ' || inbox_id || ' ' || thread_id FROM messages " +
                "UNION ALL SELECT 'd ' || id || ' ' || inbox_id || ' ' || thread_id FROM drafts UNION ALL SELECT 'a ' || id || ' ' || message_id FROM attachments"))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<List<string>> IndexesAsync(MailroomDatabase db)
    {
        await using var connection = await db.OpenAsync();
        var sql = db.Provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('threads', 'messages', 'drafts', 'outbound_deliveries') AND sql IS NOT NULL"
            : "SELECT indexname FROM pg_indexes WHERE tablename IN ('threads', 'messages', 'drafts', 'outbound_deliveries') AND indexname NOT LIKE '%_pkey'";
        return (await connection.QueryAsync<string>(sql)).Order(StringComparer.Ordinal).ToList();
    }
}

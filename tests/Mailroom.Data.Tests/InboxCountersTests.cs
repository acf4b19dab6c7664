using Dapper;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mailroom.Data.Tests;

/// <summary>
/// The inbox's message and thread counters (migration 0015), which the v0 lists give as their total, against a full
/// COUNT(*) after every kind of change; and the pages read through the list indexes against a plain ORDER BY.
/// </summary>
public sealed class InboxCountersTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Counters_match_a_full_count_after_mail_is_added_and_deleted(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var support = await InboxAsync(f, "support");
        var sales = await InboxAsync(f, "sales");
        var deletion = new MailDeletion(new MailDeletionRepository(f.Db), new InboxRepository(f.Db), f.Db, new NoBlobs(), NullLogger<MailDeletion>.Instance);

        var billing = await ThreadOfAsync(f, support, 3);
        var refunds = await ThreadOfAsync(f, support, 2);
        await ThreadOfAsync(f, support, 1);
        await ThreadOfAsync(f, sales, 2);
        await ThreadOfAsync(f, sales, 1);
        await AssertCountersAsync(f, support, messages: 6, threads: 3);
        await AssertCountersAsync(f, sales, messages: 3, threads: 2);

        await deletion.DeleteThreadAsync(f.OrgA, support.Id, refunds);
        await AssertCountersAsync(f, support, messages: 4, threads: 2);
        await AssertCountersAsync(f, sales, messages: 3, threads: 2);

        await f.Db.InTransactionAsync(() => new MailDeletionRepository(f.Db).DeleteMailOfInboxAsync(f.OrgA, sales.Id));
        await AssertCountersAsync(f, sales, messages: 0, threads: 0);
        await ThreadOfAsync(f, sales, 2);
        await AssertCountersAsync(f, sales, messages: 2, threads: 1);

        await deletion.DeleteThreadAsync(f.OrgA, support.Id, billing);
        await AssertCountersAsync(f, support, messages: 1, threads: 1);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Pages_through_the_list_indexes_are_the_rows_of_a_full_ordered_scan(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inbox = await InboxAsync(f, "paged");
        // Messages of one millisecond tie on timestamp and threads on last activity: the id decides their order.
        for (var i = 0; i < 4; i++) await ThreadOfAsync(f, inbox, 2, f.Now);
        for (var i = 0; i < 3; i++) await ThreadOfAsync(f, inbox, 1, f.Now.AddSeconds(i - 1));

        await using var connection = await f.Db.OpenAsync();
        var allMessages = (await connection.QueryAsync<string>(
            "SELECT id FROM messages WHERE org_id = @OrgId AND inbox_id = @Id ORDER BY timestamp DESC, id DESC", new { inbox.OrgId, inbox.Id })).ToList();
        var allThreads = (await connection.QueryAsync<string>(
            "SELECT id FROM threads WHERE org_id = @OrgId AND inbox_id = @Id AND message_count > 0 ORDER BY last_activity_at DESC, id DESC",
            new { inbox.OrgId, inbox.Id })).ToList();
        var messagePages = new List<string>();
        var threadPages = new List<string>();
        for (var number = 1; number <= 4; number++)
        {
            var request = new PageRequest((number - 1) * 3, 3);
            messagePages.AddRange((await new MessageRepository(f.Db).ListAsync(f.OrgA, inbox.Id, request)).Items.Select(m => m.Id));
            threadPages.AddRange((await new ThreadRepository(f.Db).ListAsync(f.OrgA, inbox.Id, request)).Items.Select(t => t.Id));
        }

        Assert.Equal(11, allMessages.Count);
        Assert.Equal(allMessages, messagePages);
        Assert.Equal(7, allThreads.Count);
        Assert.Equal(allThreads, threadPages);
        Assert.Empty((await new MessageRepository(f.Db).ListAsync(f.OrgB, inbox.Id, new PageRequest(0, 20))).Items);
        Assert.Equal(0, (await new MessageRepository(f.Db).ListAsync(f.OrgB, inbox.Id, new PageRequest(0, 20))).Total);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Attachments_of_a_page_come_by_message_in_one_call(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inbox = await InboxAsync(f, "attached");
        var thread = await ThreadOfAsync(f, inbox, 3, attachmentsEach: 2);
        var withNone = await ThreadOfAsync(f, inbox, 1);
        var repository = new MessageRepository(f.Db);
        var ids = (await repository.ListByThreadAsync(f.OrgA, thread)).Concat(await repository.ListByThreadAsync(f.OrgA, withNone)).Select(m => m.Id).ToList();

        var byMessage = await repository.ListAttachmentsOfMessagesAsync(ids);

        Assert.Equal(ids.Order(), byMessage.Keys.Order());
        foreach (var id in ids)
            Assert.Equal((await repository.ListAttachmentsAsync(id)).Select(a => a.Id), byMessage[id].Select(a => a.Id));
        Assert.Equal(6, byMessage.Values.Sum(list => list.Count));
        Assert.Empty(byMessage[ids[^1]]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Migration_0015_counts_the_mail_already_stored_and_replaces_the_list_indexes(string provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        var migrator = new Migrator(db, TimeProvider.System);
        Assert.Equal([1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], await migrator.MigrateAsync(14));
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var orgId = Ids.New(Ids.Organization);
        await new Repositories.OrganizationRepository(db).CreateAsync(new Core.Organizations.Organization
        {
            Id = orgId, Name = "o", InboxLimit = 5, DomainLimit = 2, CreatedAt = now, UpdatedAt = now,
        });
        var full = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = "full", Domain = "mailroom.local", CreatedAt = now, UpdatedAt = now };
        var empty = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = "empty", Domain = "mailroom.local", CreatedAt = now, UpdatedAt = now };
        await new InboxRepository(db).CreateAsync(full);
        await new InboxRepository(db).CreateAsync(empty);
        await using (var connection = await db.OpenAsync())
        {
            // Schema 0014 as SQL (the repositories write the newer one): two threads of 3 and 1 messages, one thread
            // that lists nothing (message_count 0), and a message of a thread whose inbox is gone.
            foreach (var (thread, messages, inboxId) in new[] { ("thr_a", 3, full.Id), ("thr_b", 1, full.Id), ("thr_none", 0, full.Id), ("thr_orphan", 1, null) })
            {
                await connection.ExecuteAsync(
                    "INSERT INTO threads (id, org_id, inbox_id, labels_json, senders_json, recipients_json, message_count, size, last_activity_at, " +
                    "created_at, updated_at, inbox_address) VALUES (@thread, @orgId, @inboxId, '[]', '[]', '[]', @messages, 0, 0, 0, 0, 'full@mailroom.local')",
                    new { thread, orgId, inboxId, messages });
                for (var i = 0; i < messages; i++)
                    await connection.ExecuteAsync(
                        "INSERT INTO messages (id, org_id, inbox_id, thread_id, direction, status, to_json, headers_json, labels_json, size, timestamp, " +
                        "created_at, updated_at) VALUES (@id, @orgId, @inboxId, @thread, 'inbound', 'received', '[]', '[]', '[]', 1, @i, 0, 0)",
                        new { id = $"msg_{thread}_{i}", orgId, inboxId, thread, i });
            }
        }

        Assert.Equal([15], await migrator.MigrateAsync(15));

        await using var migrated = await db.OpenAsync();
        var counters = (await migrated.QueryAsync<(string Id, long Messages, long Threads)>(
            "SELECT id, message_count, thread_count FROM inboxes ORDER BY username")).ToList();
        Assert.Equal([(empty.Id, 0L, 0L), (full.Id, 4L, 2L)], counters);
        var indexSql = provider == "sqlite"
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('threads', 'messages') AND sql IS NOT NULL"
            : "SELECT indexname FROM pg_indexes WHERE tablename IN ('threads', 'messages') AND indexname NOT LIKE '%_pkey'";
        var indexes = (await migrated.QueryAsync<string>(indexSql)).ToHashSet();
        Assert.Superset(new HashSet<string> { "ix_messages_inbox_list", "ix_threads_inbox_list" }, indexes);
        Assert.DoesNotContain("ix_messages_inbox_time", indexes);
        Assert.DoesNotContain("ix_threads_inbox_activity", indexes);
    }

    private static async Task AssertCountersAsync(MigratedDatabase f, Inbox inbox, long messages, long threads)
    {
        await using var connection = await f.Db.OpenAsync();
        var (messageCount, threadCount) = await connection.QuerySingleAsync<(long, long)>(
            "SELECT message_count, thread_count FROM inboxes WHERE id = @Id", new { inbox.Id });
        var countedMessages = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE inbox_id = @Id", new { inbox.Id });
        var countedThreads = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM threads WHERE inbox_id = @Id AND message_count > 0", new { inbox.Id });
        Assert.Equal((messages, threads), (countedMessages, countedThreads));
        Assert.Equal((countedMessages, countedThreads), (messageCount, threadCount));
        Assert.Equal(messages, (await new MessageRepository(f.Db).ListAsync(f.OrgA, inbox.Id, new PageRequest(0, 2))).Total);
        Assert.Equal(threads, (await new ThreadRepository(f.Db).ListAsync(f.OrgA, inbox.Id, new PageRequest(0, 2))).Total);
    }

    private static async Task<Inbox> InboxAsync(MigratedDatabase f, string username)
    {
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = f.OrgA, Username = username, Domain = "mailroom.local", CreatedAt = f.Now, UpdatedAt = f.Now };
        await new InboxRepository(f.Db).CreateAsync(inbox);
        return inbox;
    }

    /// <summary>A new thread of <paramref name="count"/> messages, each a reply to the one before; returns the thread id.</summary>
    private static async Task<string> ThreadOfAsync(MigratedDatabase f, Inbox inbox, int count, DateTimeOffset? at = null, int attachmentsEach = 0)
    {
        var threading = new Threading(new ThreadRepository(f.Db), new MessageRepository(f.Db), TimeProvider.System);
        string? previous = null, threadId = null;
        var subject = "subject " + Guid.NewGuid().ToString("N");
        for (var i = 0; i < count; i++)
        {
            var timestamp = at ?? f.Now.AddMinutes(i);
            var message = new Message
            {
                Id = Ids.New(Ids.Message), OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound,
                RfcMessageId = $"<{Guid.NewGuid():N}@example.com>", InReplyTo = previous, From = "s@example.com", To = [inbox.EmailAddress],
                Subject = subject, Size = 10, Timestamp = timestamp, CreatedAt = timestamp, UpdatedAt = timestamp,
            };
            var attachments = Enumerable.Range(0, attachmentsEach).Select(_ => new Attachment
            {
                Id = Ids.New(Ids.Attachment), OrgId = inbox.OrgId, MessageId = message.Id, ContentType = "text/plain", Size = 1, BlobKey = "files/x", CreatedAt = f.Now,
            }).ToList();
            await f.Db.InTransactionAsync(async () =>
            {
                var thread = await threading.ThreadForAsync(inbox, previous, previous is null ? [] : [previous], subject);
                await threading.AddAsync(thread, message, attachments);
                return true;
            });
            Assert.True(threadId is null || threadId == message.ThreadId, "a reply joins the thread of the message it answers");
            (previous, threadId) = (message.RfcMessageId, message.ThreadId);
        }
        return threadId ?? "";
    }

    private sealed class NoBlobs : IBlobStore
    {
        public Task<string> PutAsync(string keyPrefix, Stream content, bool sync, CancellationToken ct = default) => throw new NotSupportedException();
        public Task SyncAsync(CancellationToken ct = default) => Task.CompletedTask;
        public Task<Stream> OpenAsync(string key, CancellationToken ct = default) => throw new NotSupportedException();
        public Task DeleteAsync(string key, CancellationToken ct = default) => Task.CompletedTask;
    }
}

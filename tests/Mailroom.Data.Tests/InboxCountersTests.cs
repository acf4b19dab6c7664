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
/// The inbox's message and thread counters (migration 0015) and their spam part (0017), which the v0 lists give as their
/// totals, against a full COUNT(*) after every kind of change; and the pages read through the list indexes against a
/// plain ORDER BY.
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
    public async Task Spam_counters_match_a_full_count_as_threads_are_marked_unmarked_added_to_and_deleted(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var support = await InboxAsync(f, "support");
        var sales = await InboxAsync(f, "sales");
        var deletion = new MailDeletion(new MailDeletionRepository(f.Db), new InboxRepository(f.Db), f.Db, new NoBlobs(), NullLogger<MailDeletion>.Instance);
        var state = new AutomationStateRepository(f.Db);

        var billing = await ThreadOfAsync(f, support, 3);
        var offer = await ThreadOfAsync(f, support, 2);
        var lottery = await ThreadOfAsync(f, support, 1);
        var pricing = await ThreadOfAsync(f, sales, 2);
        await AssertCountersAsync(f, support, messages: 6, threads: 3);

        Assert.True(await state.SetThreadSpamAsync(f.OrgA, offer, true, f.Now));
        await AssertCountersAsync(f, support, messages: 6, threads: 3, spamMessages: 2, spamThreads: 1);
        Assert.False(await state.SetThreadSpamAsync(f.OrgA, offer, true, f.Now));
        Assert.False(await state.SetThreadSpamAsync(f.OrgB, billing, true, f.Now));
        await AssertCountersAsync(f, support, messages: 6, threads: 3, spamMessages: 2, spamThreads: 1);
        await AssertCountersAsync(f, sales, messages: 2, threads: 1);

        // A message added to a spam thread is spam; one added to another thread is not.
        await ReplyAsync(f, support, offer);
        await ReplyAsync(f, support, billing);
        await AssertCountersAsync(f, support, messages: 8, threads: 3, spamMessages: 3, spamThreads: 1);

        // Marking and unmarking in one transaction, as an automation run may, leaves the counts where they were.
        var changes = await f.Db.InTransactionAsync(async () => new[]
        {
            await state.SetThreadSpamAsync(f.OrgA, billing, true, f.Now),
            await state.SetThreadSpamAsync(f.OrgA, lottery, true, f.Now),
            await state.SetThreadSpamAsync(f.OrgA, billing, false, f.Now),
        });
        Assert.All(changes, Assert.True);
        await AssertCountersAsync(f, support, messages: 8, threads: 3, spamMessages: 4, spamThreads: 2);
        Assert.True(await state.SetThreadSpamAsync(f.OrgA, lottery, false, f.Now));
        await AssertCountersAsync(f, support, messages: 8, threads: 3, spamMessages: 3, spamThreads: 1);

        await deletion.DeleteThreadAsync(f.OrgA, support.Id, offer);
        await AssertCountersAsync(f, support, messages: 5, threads: 2);

        Assert.True(await state.SetThreadSpamAsync(f.OrgA, pricing, true, f.Now));
        await AssertCountersAsync(f, sales, messages: 2, threads: 1, spamMessages: 2, spamThreads: 1);
        await f.Db.InTransactionAsync(() => new MailDeletionRepository(f.Db).DeleteMailOfInboxAsync(f.OrgA, sales.Id));
        await AssertCountersAsync(f, sales, messages: 0, threads: 0);
        await AssertCountersAsync(f, support, messages: 5, threads: 2);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Each_view_pages_through_its_index_as_a_full_ordered_scan_does(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inbox = await InboxAsync(f, "viewed");
        var state = new AutomationStateRepository(f.Db);
        var threads = new List<string>();
        for (var i = 0; i < 4; i++) threads.Add(await ThreadOfAsync(f, inbox, 2, f.Now));
        for (var i = 0; i < 4; i++) threads.Add(await ThreadOfAsync(f, inbox, 1, f.Now.AddSeconds(i - 1)));
        foreach (var spam in new[] { threads[1], threads[2], threads[6] }) await state.SetThreadSpamAsync(f.OrgA, spam, true, f.Now);

        await using var connection = await f.Db.OpenAsync();
        foreach (var spam in new[] { false, true })
        {
            var allMessages = (await connection.QueryAsync<string>(
                "SELECT id FROM messages WHERE org_id = @OrgId AND inbox_id = @Id AND spam = @spam ORDER BY timestamp DESC, id DESC",
                new { inbox.OrgId, inbox.Id, spam })).ToList();
            var allThreads = (await connection.QueryAsync<string>(
                "SELECT id FROM threads WHERE org_id = @OrgId AND inbox_id = @Id AND message_count > 0 AND spam = @spam ORDER BY last_activity_at DESC, id DESC",
                new { inbox.OrgId, inbox.Id, spam })).ToList();
            var messagePages = new List<string>();
            var threadPages = new List<string>();
            for (var number = 1; number <= 4; number++)
            {
                var request = new PageRequest((number - 1) * 2, 2);
                messagePages.AddRange((await new MessageRepository(f.Db).ListAsync(f.OrgA, inbox.Id, spam, request)).Items.Select(m => m.Id));
                threadPages.AddRange((await new ThreadRepository(f.Db).ListAsync(f.OrgA, inbox.Id, spam, request)).Items.Select(t => t.Id));
            }
            Assert.Equal(spam ? 5 : 7, allMessages.Count);
            Assert.Equal(allMessages, messagePages);
            Assert.Equal(spam ? 3 : 5, allThreads.Count);
            Assert.Equal(allThreads, threadPages);
            Assert.All((await new MessageRepository(f.Db).ListAsync(f.OrgA, inbox.Id, spam, new PageRequest(0, 20))).Items, m => Assert.Equal(spam, m.InSpamThread));
            Assert.All((await new ThreadRepository(f.Db).ListAsync(f.OrgA, inbox.Id, spam, new PageRequest(0, 20))).Items, t => Assert.Equal(spam, t.Spam));
        }
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
            messagePages.AddRange((await new MessageRepository(f.Db).ListAsync(f.OrgA, inbox.Id, spam: false, request)).Items.Select(m => m.Id));
            threadPages.AddRange((await new ThreadRepository(f.Db).ListAsync(f.OrgA, inbox.Id, spam: false, request)).Items.Select(t => t.Id));
        }

        Assert.Equal(11, allMessages.Count);
        Assert.Equal(allMessages, messagePages);
        Assert.Equal(7, allThreads.Count);
        Assert.Equal(allThreads, threadPages);
        Assert.Empty((await new MessageRepository(f.Db).ListAsync(f.OrgB, inbox.Id, spam: false, new PageRequest(0, 20))).Items);
        Assert.Equal(0, (await new MessageRepository(f.Db).ListAsync(f.OrgB, inbox.Id, spam: false, new PageRequest(0, 20))).Total);
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

    [Theory, MemberData(nameof(Providers))]
    public async Task Migration_0017_flags_the_messages_of_spam_threads_counts_them_and_puts_the_flag_in_the_list_indexes(string provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        var migrator = new Migrator(db, TimeProvider.System);
        await migrator.MigrateAsync(15);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var orgId = Ids.New(Ids.Organization);
        await new Repositories.OrganizationRepository(db).CreateAsync(new Core.Organizations.Organization
        {
            Id = orgId, Name = "o", InboxLimit = 5, DomainLimit = 2, CreatedAt = now, UpdatedAt = now,
        });
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = "flagged", Domain = "mailroom.local", CreatedAt = now, UpdatedAt = now };
        await new InboxRepository(db).CreateAsync(inbox);
        await using (var connection = await db.OpenAsync())
        {
            // Schema 0015 as SQL: a spam thread of 3 messages, a thread of 2 that is not spam, and a spam thread without messages.
            foreach (var (thread, messages, spam) in new[] { ("thr_spam", 3, true), ("thr_ham", 2, false), ("thr_none", 0, true) })
            {
                await connection.ExecuteAsync(
                    "INSERT INTO threads (id, org_id, inbox_id, labels_json, senders_json, recipients_json, message_count, size, last_activity_at, " +
                    "created_at, updated_at, inbox_address, spam) VALUES (@thread, @orgId, @inboxId, '[]', '[]', '[]', @messages, 0, 0, 0, 0, 'f@mailroom.local', @spam)",
                    new { thread, orgId, inboxId = inbox.Id, messages, spam });
                for (var i = 0; i < messages; i++)
                    await connection.ExecuteAsync(
                        "INSERT INTO messages (id, org_id, inbox_id, thread_id, direction, status, to_json, headers_json, labels_json, size, timestamp, " +
                        "created_at, updated_at) VALUES (@id, @orgId, @inboxId, @thread, 'inbound', 'received', '[]', '[]', '[]', 1, @i, 0, 0)",
                        new { id = $"msg_{thread}_{i}", orgId, inboxId = inbox.Id, thread, i });
            }
            await connection.ExecuteAsync("UPDATE inboxes SET message_count = 5, thread_count = 2 WHERE id = @Id", new { inbox.Id });
        }

        Assert.Contains(17, await migrator.MigrateAsync(17));

        await using var migrated = await db.OpenAsync();
        Assert.Equal((5L, 2L, 3L, 1L), await migrated.QuerySingleAsync<(long, long, long, long)>(
            "SELECT message_count, thread_count, spam_message_count, spam_thread_count FROM inboxes WHERE id = @Id", new { inbox.Id }));
        Assert.Equal(["msg_thr_spam_0", "msg_thr_spam_1", "msg_thr_spam_2"],
            (await migrated.QueryAsync<string>("SELECT id FROM messages WHERE spam = @spam ORDER BY id", new { spam = true })).ToList());
        var columnsSql = provider == "sqlite"
            ? "SELECT ii.name FROM sqlite_master s, pragma_index_info(s.name) ii WHERE s.name = @index ORDER BY ii.seqno"
            : "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) " +
              "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE c.relname = @index ORDER BY k.n";
        Assert.Equal(["inbox_id", "spam", "timestamp", "id", "org_id"],
            (await migrated.QueryAsync<string>(columnsSql, new { index = "ix_messages_inbox_list" })).ToList());
        Assert.Equal(["inbox_id", "spam", "last_activity_at", "id", "org_id", "message_count"],
            (await migrated.QueryAsync<string>(columnsSql, new { index = "ix_threads_inbox_list" })).ToList());
        Assert.Equal(["thread_id", "timestamp", "id"], (await migrated.QueryAsync<string>(columnsSql, new { index = "ix_messages_thread" })).ToList());
    }

    /// <summary>Every counter of the inbox against a full count, the expected figures against both, and both lists' totals.</summary>
    private static async Task AssertCountersAsync(MigratedDatabase f, Inbox inbox, long messages, long threads, long spamMessages = 0, long spamThreads = 0)
    {
        await using var connection = await f.Db.OpenAsync();
        var counters = await connection.QuerySingleAsync<(long, long, long, long)>(
            "SELECT message_count, thread_count, spam_message_count, spam_thread_count FROM inboxes WHERE id = @Id", new { inbox.Id });
        var counted = await connection.QuerySingleAsync<(long, long, long, long)>(
            "SELECT (SELECT COUNT(*) FROM messages WHERE inbox_id = @Id), " +
            "(SELECT COUNT(*) FROM threads WHERE inbox_id = @Id AND message_count > 0), " +
            "(SELECT COUNT(*) FROM messages WHERE inbox_id = @Id AND spam = @spam), " +
            "(SELECT COUNT(*) FROM threads WHERE inbox_id = @Id AND message_count > 0 AND spam = @spam)", new { inbox.Id, spam = true });
        Assert.Equal((messages, threads, spamMessages, spamThreads), counted);
        Assert.Equal(counted, counters);
        // Each message carries its thread's flag.
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM messages m JOIN threads t ON t.id = m.thread_id WHERE m.inbox_id = @Id AND m.spam <> t.spam", new { inbox.Id }));
        var messageList = new MessageRepository(f.Db);
        var threadList = new ThreadRepository(f.Db);
        Assert.Equal(messages - spamMessages, (await messageList.ListAsync(f.OrgA, inbox.Id, spam: false, new PageRequest(0, 2))).Total);
        Assert.Equal(threads - spamThreads, (await threadList.ListAsync(f.OrgA, inbox.Id, spam: false, new PageRequest(0, 2))).Total);
        Assert.Equal(spamMessages, (await messageList.ListAsync(f.OrgA, inbox.Id, spam: true, new PageRequest(0, 2))).Total);
        Assert.Equal(spamThreads, (await threadList.ListAsync(f.OrgA, inbox.Id, spam: true, new PageRequest(0, 2))).Total);
    }

    private static async Task<Inbox> InboxAsync(MigratedDatabase f, string username)
    {
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = f.OrgA, Username = username, Domain = "mailroom.local", CreatedAt = f.Now, UpdatedAt = f.Now };
        await new InboxRepository(f.Db).CreateAsync(inbox);
        return inbox;
    }

    /// <summary>A reply to the last message of <paramref name="threadId"/>, which it joins.</summary>
    private static async Task ReplyAsync(MigratedDatabase f, Inbox inbox, string threadId)
    {
        var last = (await new MessageRepository(f.Db).ListByThreadAsync(f.OrgA, threadId))[^1];
        var threading = new Threading(new ThreadRepository(f.Db), new MessageRepository(f.Db), TimeProvider.System);
        var at = last.Timestamp.AddMinutes(1);
        var message = new Message
        {
            Id = Ids.New(Ids.Message), OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound,
            RfcMessageId = $"<{Guid.NewGuid():N}@example.com>", InReplyTo = last.RfcMessageId, From = "s@example.com", To = [inbox.EmailAddress],
            Subject = "Re: " + last.Subject, Size = 10, Timestamp = at, CreatedAt = at, UpdatedAt = at,
        };
        await f.Db.InTransactionAsync(async () =>
        {
            var thread = await threading.ThreadForAsync(inbox, last.RfcMessageId, [last.RfcMessageId!], message.Subject);
            await threading.AddAsync(thread, message, []);
            return true;
        });
        Assert.Equal(threadId, message.ThreadId);
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

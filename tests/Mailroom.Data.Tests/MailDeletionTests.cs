using Dapper;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace Mailroom.Data.Tests;

/// <summary>The deletion use case over the real repositories: scoping, the three kinds of delete, and blobs that will not go.</summary>
public sealed class MailDeletionTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Rows_go_and_a_blob_that_fails_to_delete_is_logged_not_fatal(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var (deletion, blobs, log) = Deletion(f, failing: "db/raw/broken");
        var inbox = await InboxAsync(f, "keep");
        var thread = await MailAsync(f, inbox, "db/raw/broken", "files/att-1");
        await MailAsync(f, inbox, "db/raw/2", "files/att-2");

        var foreign = await Assert.ThrowsAsync<NotFoundException>(() => deletion.DeleteThreadAsync(f.OrgB, inbox.Id, thread));
        await deletion.DeleteThreadAsync(f.OrgA, inbox.Id, thread);

        Assert.Equal("thread not found", foreign.Message);
        Assert.Equal(["db/raw/broken", "files/att-1"], blobs.Deleted.Order());
        Assert.Contains("db/raw/broken", Assert.Single(log.Warnings));
        Assert.Null(await new ThreadRepository(f.Db).FindAsync(f.OrgA, thread));
        Assert.Equal("thread not found", (await Assert.ThrowsAsync<NotFoundException>(() => deletion.DeleteThreadAsync(f.OrgA, inbox.Id, thread))).Message);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_inbox_goes_with_its_mail_or_leaves_it_behind_but_only_for_its_organization(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var (deletion, blobs, _) = Deletion(f);
        var purged = await InboxAsync(f, "purged");
        var retired = await InboxAsync(f, "Retired");
        await MailAsync(f, purged, "db/raw/p", "files/p");
        var kept = await MailAsync(f, retired, "db/raw/r", "files/r");

        foreach (var attempt in new Func<Task>[]
                 {
                     () => deletion.DeleteInboxAsync(f.OrgB, purged.Id), () => deletion.DeleteInboxKeepingMailAsync(f.OrgB, retired.Id),
                     () => deletion.DeleteInboxAsync(f.OrgA, "inb_missing"), () => deletion.DeleteInboxKeepingMailAsync(f.OrgA, "inb_missing"),
                 })
            Assert.Equal("inbox not found", (await Assert.ThrowsAsync<NotFoundException>(attempt)).Message);
        await deletion.DeleteInboxAsync(f.OrgA, purged.Id);
        await deletion.DeleteInboxKeepingMailAsync(f.OrgA, retired.Id);

        Assert.Equal(["db/raw/p", "files/p"], blobs.Deleted.Order());
        await using var connection = await f.Db.OpenAsync();
        foreach (var table in new[] { "threads", "messages", "drafts" })
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE inbox_id = @Id", new { purged.Id }));
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE inbox_id IS NULL"));
        }
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM attachments"));
        var thread = await new ThreadRepository(f.Db).FindAsync(f.OrgA, kept);
        Assert.Null(thread!.InboxId);
        Assert.Equal("Retired@mailroom.local", thread.InboxAddress);
        Assert.Null(await new ThreadRepository(f.Db).FindAsync(f.OrgB, kept));
        Assert.Equal("db/raw/r", Assert.Single(await new MessageRepository(f.Db).ListByThreadAsync(f.OrgA, kept)).RawBlobKey);
        Assert.Null(await new InboxRepository(f.Db).GetAsync(f.OrgA, retired.Id));
    }

    private static (MailDeletion, RecordingBlobs, RecordingLog) Deletion(MigratedDatabase f, string? failing = null)
    {
        var blobs = new RecordingBlobs(failing);
        var log = new RecordingLog();
        return (new MailDeletion(new MailDeletionRepository(f.Db), new InboxRepository(f.Db), f.Db, blobs, log), blobs, log);
    }

    private static async Task<Inbox> InboxAsync(MigratedDatabase f, string username)
    {
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = f.OrgA, Username = username, Domain = "mailroom.local", CreatedAt = f.Now, UpdatedAt = f.Now };
        await new InboxRepository(f.Db).CreateAsync(inbox);
        return inbox;
    }

    /// <summary>A thread of the inbox with one message (raw blob and one attachment) and a draft; returns the thread id.</summary>
    private static async Task<string> MailAsync(MigratedDatabase f, Inbox inbox, string rawKey, string attachmentKey)
    {
        var threading = new Threading(new ThreadRepository(f.Db), new MessageRepository(f.Db), TimeProvider.System);
        var message = new Message
        {
            Id = Ids.New(Ids.Message), OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound,
            From = "s@example.com", To = [inbox.EmailAddress], Subject = rawKey, Size = 10, RawBlobKey = rawKey, Timestamp = f.Now, CreatedAt = f.Now, UpdatedAt = f.Now,
        };
        await f.Db.InTransactionAsync(async () =>
        {
            var thread = await threading.ThreadForAsync(inbox, null, [], message.Subject);
            await threading.AddAsync(thread, message, [new Attachment
            {
                Id = Ids.New(Ids.Attachment), OrgId = inbox.OrgId, MessageId = message.Id, ContentType = "text/plain", Size = 1, BlobKey = attachmentKey, CreatedAt = f.Now,
            }]);
            return true;
        });
        await using var connection = await f.Db.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO drafts (id, org_id, inbox_id, thread_id, state, version, payload_json, notifications_json, created_at, updated_at) " +
            "VALUES (@draftId, @OrgId, @Id, @ThreadId, 'pending', 1, '{}', '[]', 0, 0)", new { draftId = Ids.New(Ids.Draft), inbox.OrgId, inbox.Id, message.ThreadId });
        return message.ThreadId;
    }

    private sealed class RecordingBlobs(string? failing) : IBlobStore
    {
        public List<string> Deleted { get; } = [];
        public Task<string> PutAsync(string keyPrefix, Stream content, bool sync, CancellationToken ct = default) => throw new NotSupportedException();
        public Task SyncAsync(CancellationToken ct = default) => Task.CompletedTask;
        public Task<Stream> OpenAsync(string key, CancellationToken ct = default) => throw new NotSupportedException();

        public Task DeleteAsync(string key, CancellationToken ct = default)
        {
            Deleted.Add(key);
            return key == failing ? Task.FromException(new IOException("disk says no")) : Task.CompletedTask;
        }
    }

    private sealed class RecordingLog : ILogger<MailDeletion>
    {
        public List<string> Warnings { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) Warnings.Add(formatter(state, exception));
        }
    }
}

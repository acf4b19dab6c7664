using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Data;
using Mailroom.Data.Blobs;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Mail;

namespace Mailroom.Server.Tests.Api.V0;

/// <summary>
/// Deleting an inbox or a thread through v0 takes its rows and its blobs (rows of <c>blobs</c> and files alike) and
/// answers exactly as before; deleting an inbox keeping its mail (the identities API's delete) leaves the mail readable
/// by id. On both databases.
/// </summary>
public sealed class InboxDeletionTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private const string InboxNotFound = """{"name":"NotFoundError","message":"inbox not found"}""";
    private const string ThreadNotFound = """{"name":"NotFoundError","message":"thread not found"}""";

    /// <summary>
    /// An inbox that received a message with a small attachment and one over the inline blob limit (so a file), and
    /// answered it: its mail then holds inbound and outbound messages, inline and file blobs, and delivery rows.
    /// </summary>
    private sealed record Mailbox(ApiClient Api, string InboxId, string Username, string Address, string SenderId, string ThreadId,
        string MessageId, Dictionary<string, byte[]> Attachments);

    private static async Task<Mailbox> MailboxAsync(MailroomTestServer server)
    {
        var api = await server.NewOrganizationAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var sender = await api.CreateInboxAsync("del-from-" + tag);
        var inbox = await api.CreateInboxAsync("del-to-" + tag);
        var (senderId, inboxId) = ((string)sender["inbox_id"]!, (string)inbox["inbox_id"]!);
        var files = new Dictionary<string, byte[]>
        {
            ["small.txt"] = "hello"u8.ToArray(),
            ["large.bin"] = Enumerable.Range(0, HybridBlobStore.InlineLimit + 40_000).Select(i => (byte)(i * 31 + i / 7)).ToArray(),
        };
        var (status, _) = await api.PostAsync($"/api/v0/inboxes/{senderId}/messages/send", new
        {
            to = (string)inbox["email_address"]!, subject = "Deletion", text = "two files",
            attachments = files.Select(f => new { filename = f.Key, content_type = "application/octet-stream", content = Convert.ToBase64String(f.Value) }),
        });
        Assert.Equal(200, status);
        var received = (await InboundSmtpTests.WaitForMessageAsync(api, inboxId))["data"]![0]!;
        var messageId = (string)received["message_id"]!;
        var reply = (await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}/reply", new { text = "got them" })).Body!;
        await InboundSmtpTests.WaitForMessageAsync(api, senderId, 2);
        await WaitForStatusAsync(api, inboxId, (string)reply["message_id"]!, "delivered");
        var attachments = received["attachments"]!.AsArray().ToDictionary(a => (string)a!["attachment_id"]!, a => files[(string)a!["filename"]!]);
        return new Mailbox(api, inboxId, "del-to-" + tag, (string)inbox["email_address"]!, senderId, (string)received["thread_id"]!, messageId, attachments);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Deleting_an_inbox_removes_every_row_and_blob_of_its_mail_and_nothing_of_the_senders(string provider)
    {
        var server = await servers.For(provider);
        var box = await MailboxAsync(server);
        var links = await DownloadLinksAsync(box);
        using var anonymous = new HttpClient();
        foreach (var (url, bytes) in links) Assert.Equal(bytes, await anonymous.GetByteArrayAsync(url));
        var mail = await MailOfInboxAsync(server, box.InboxId);
        var senderMail = await MailOfInboxAsync(server, box.SenderId);
        Assert.Equal(2, mail.Messages.Count);
        Assert.Contains(mail.BlobKeys, k => k.StartsWith("db/", StringComparison.Ordinal));
        Assert.Contains(mail.BlobKeys, k => !k.StartsWith("db/", StringComparison.Ordinal));
        Assert.All(mail.BlobKeys.Where(IsFile), k => Assert.True(File.Exists(BlobFile(server, k)), k));

        var stranger = await server.NewOrganizationAsync();
        Assert.Equal((404, InboxNotFound), await RawAsync(stranger, HttpMethod.Delete, $"/api/v0/inboxes/{box.InboxId}"));
        Assert.Equal((204, ""), await RawAsync(box.Api, HttpMethod.Delete, $"/api/v0/inboxes/{box.InboxId}"));

        foreach (var (url, _) in links) Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url)).StatusCode);
        var db = server.Services.GetRequiredService<MailroomDatabase>();
        await using var connection = await db.OpenAsync();
        Assert.Equal(0L, await CountAsync(connection, "threads", "id", mail.Threads));
        Assert.Equal(0L, await CountAsync(connection, "messages", "id", mail.Messages));
        Assert.Equal(0L, await CountAsync(connection, "attachments", "id", mail.Attachments));
        Assert.Equal(0L, await CountAsync(connection, "outbound_deliveries", "message_id", mail.Messages));
        Assert.Equal(0L, await CountAsync(connection, "blobs", "key", mail.BlobKeys));
        if (provider == "postgres") Assert.Equal(0L, await CountAsync(connection, "blob_chunks", "key", mail.BlobKeys));
        Assert.All(mail.BlobKeys.Where(IsFile), k => Assert.False(File.Exists(BlobFile(server, k)), k));
        Assert.Equal((404, InboxNotFound), await RawAsync(box.Api, HttpMethod.Delete, $"/api/v0/inboxes/{box.InboxId}"));
        Assert.Equal(404, (await box.Api.GetAsync($"/api/v0/inboxes/{box.InboxId}")).Status);

        // The sender's copies keep their rows and blobs, and the address is free again.
        Assert.Equal(senderMail, await MailOfInboxAsync(server, box.SenderId));
        var blobs = server.Services.GetRequiredService<IBlobStore>();
        foreach (var key in senderMail.BlobKeys) await (await blobs.OpenAsync(key)).DisposeAsync();
        await box.Api.CreateInboxAsync(box.Username);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Deleting_a_thread_removes_its_rows_and_blobs_and_answers_as_before(string provider)
    {
        var server = await servers.For(provider);
        var box = await MailboxAsync(server);
        var mail = await MailOfInboxAsync(server, box.InboxId);
        var path = $"/api/v0/inboxes/{box.InboxId}/threads/{box.ThreadId}";

        Assert.Equal((404, ThreadNotFound), await RawAsync(await server.NewOrganizationAsync(), HttpMethod.Delete, path));
        Assert.Equal((204, ""), await RawAsync(box.Api, HttpMethod.Delete, path));
        Assert.Equal((404, ThreadNotFound), await RawAsync(box.Api, HttpMethod.Delete, path));

        await using var connection = await server.Services.GetRequiredService<MailroomDatabase>().OpenAsync();
        Assert.Equal(0L, await CountAsync(connection, "messages", "id", mail.Messages));
        Assert.Equal(0L, await CountAsync(connection, "attachments", "id", mail.Attachments));
        Assert.Equal(0L, await CountAsync(connection, "blobs", "key", mail.BlobKeys));
        if (provider == "postgres") Assert.Equal(0L, await CountAsync(connection, "blob_chunks", "key", mail.BlobKeys));
        Assert.All(mail.BlobKeys.Where(IsFile), k => Assert.False(File.Exists(BlobFile(server, k)), k));
        Assert.Equal(200, (await box.Api.GetAsync($"/api/v0/inboxes/{box.InboxId}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_inbox_deleted_keeping_its_mail_leaves_it_readable_by_id_and_frees_the_address(string provider)
    {
        var server = await servers.For(provider);
        var box = await MailboxAsync(server);
        var links = await DownloadLinksAsync(box);
        var before = await MailOfInboxAsync(server, box.InboxId);
        var deletion = server.Services.GetRequiredService<MailDeletion>();
        var stranger = await server.NewOrganizationAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => deletion.DeleteInboxKeepingMailAsync(stranger.OrgId, box.InboxId));
        await deletion.DeleteInboxKeepingMailAsync(box.Api.OrgId, box.InboxId);
        await Assert.ThrowsAsync<NotFoundException>(() => deletion.DeleteInboxKeepingMailAsync(box.Api.OrgId, box.InboxId));

        // v0 sees no inbox; the mail is still there by id, with no inbox and its address.
        Assert.Equal(404, (await box.Api.GetAsync($"/api/v0/inboxes/{box.InboxId}")).Status);
        Assert.Equal(404, (await box.Api.GetAsync($"/api/v0/inboxes/{box.InboxId}/threads/{box.ThreadId}")).Status);
        var threads = server.Services.GetRequiredService<IThreadRepository>();
        var messages = server.Services.GetRequiredService<IMessageRepository>();
        var thread = await threads.FindAsync(box.Api.OrgId, box.ThreadId);
        Assert.Null(thread!.InboxId);
        Assert.Equal(box.Address, thread.InboxAddress);
        Assert.Equal(2, thread.MessageCount);
        Assert.Null(await threads.FindAsync(stranger.OrgId, box.ThreadId));
        var kept = await messages.ListByThreadAsync(box.Api.OrgId, box.ThreadId);
        Assert.Equal(before.Messages.Order(), kept.Select(m => m.Id).Order());
        Assert.All(kept, m => Assert.Null(m.InboxId));
        var blobs = server.Services.GetRequiredService<IBlobStore>();
        foreach (var attachment in await messages.ListAttachmentsAsync(box.MessageId))
        {
            await using var content = await blobs.OpenAsync(attachment.BlobKey);
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            Assert.Equal(box.Attachments[attachment.Id], copy.ToArray());
        }
        using var anonymous = new HttpClient();
        foreach (var (url, bytes) in links) Assert.Equal(bytes, await anonymous.GetByteArrayAsync(url));

        // The address is free: a new inbox takes it and its mail starts anew, beside the kept thread.
        var again = await box.Api.CreateInboxAsync(box.Username);
        var againId = (string)again["inbox_id"]!;
        await box.Api.PostAsync($"/api/v0/inboxes/{box.SenderId}/messages/send", new { to = box.Address, subject = "Deletion", text = "hello again" });
        var fresh = (await InboundSmtpTests.WaitForMessageAsync(box.Api, againId))["data"]![0]!;
        Assert.NotEqual(box.ThreadId, (string)fresh["thread_id"]!);
        Assert.Equal(1, (int)(await box.Api.GetAsync($"/api/v0/inboxes/{againId}/threads")).Body!["total"]!);
        // Deleting the new inbox with its mail takes only its own.
        Assert.Equal(204, (await box.Api.DeleteAsync($"/api/v0/inboxes/{againId}")).Status);
        Assert.Equal(2, (await threads.FindAsync(box.Api.OrgId, box.ThreadId))!.MessageCount);
        Assert.Equal(before.BlobKeys, (await MailOfThreadAsync(server, box.ThreadId)).BlobKeys);
    }

    private sealed record Mail(List<string> Threads, List<string> Messages, List<string> Attachments, List<string> BlobKeys)
    {
        public bool Equals(Mail? other) => other is not null && Threads.SequenceEqual(other.Threads) && Messages.SequenceEqual(other.Messages)
                                           && Attachments.SequenceEqual(other.Attachments) && BlobKeys.SequenceEqual(other.BlobKeys);

        public override int GetHashCode() => Threads.Count;
    }

    private static Task<Mail> MailOfInboxAsync(MailroomTestServer server, string inboxId) => MailWhereAsync(server, "m.inbox_id = @id", inboxId);

    private static Task<Mail> MailOfThreadAsync(MailroomTestServer server, string threadId) => MailWhereAsync(server, "m.thread_id = @id", threadId);

    /// <summary>The ids and blob keys of the messages <paramref name="where"/> picks, each list sorted.</summary>
    private static async Task<Mail> MailWhereAsync(MailroomTestServer server, string where, string id)
    {
        await using var connection = await server.Services.GetRequiredService<MailroomDatabase>().OpenAsync();
        async Task<List<string>> Strings(string sql) => (await connection.QueryAsync<string>(sql, new { id })).Order(StringComparer.Ordinal).ToList();
        return new Mail(
            await Strings($"SELECT DISTINCT m.thread_id FROM messages m WHERE {where}"),
            await Strings($"SELECT m.id FROM messages m WHERE {where}"),
            await Strings($"SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE {where}"),
            await Strings($"SELECT m.raw_blob_key FROM messages m WHERE {where} AND m.raw_blob_key IS NOT NULL " +
                          $"UNION ALL SELECT a.blob_key FROM attachments a JOIN messages m ON m.id = a.message_id WHERE {where}"));
    }

    private static async Task<long> CountAsync(System.Data.Common.DbConnection connection, string table, string column, List<string> values)
    {
        Assert.NotEmpty(values);
        var names = values.Select((_, i) => "@v" + i).ToList();
        var args = new DynamicParameters();
        for (var i = 0; i < values.Count; i++) args.Add("v" + i, values[i]);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE {column} IN ({string.Join(", ", names)})", args);
    }

    private static async Task<List<(string Url, byte[] Bytes)>> DownloadLinksAsync(Mailbox box)
    {
        var links = new List<(string, byte[])>();
        foreach (var (attachmentId, bytes) in box.Attachments)
        {
            var link = (await box.Api.GetAsync($"/api/v0/inboxes/{box.InboxId}/messages/{box.MessageId}/attachments/{attachmentId}")).Body!;
            links.Add(((string)link["download_url"]!, bytes));
        }
        return links;
    }

    private static async Task<(int Status, string Body)> RawAsync(ApiClient api, HttpMethod method, string path)
    {
        using var response = await api.Http.SendAsync(new HttpRequestMessage(method, path.TrimStart('/')));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitForStatusAsync(ApiClient api, string inboxId, string messageId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((string?)(await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}")).Body!["status"] != status && DateTime.UtcNow < deadline)
            await Task.Delay(100);
    }

    /// <summary>Blobs over the inline limit are files on SQLite and chunk rows on PostgreSQL.</summary>
    private static bool IsFile(string key) => !key.StartsWith("db/", StringComparison.Ordinal) && !ChunkedBlobStore.Holds(key);

    private static string BlobFile(MailroomTestServer server, string key) => Path.Combine(server.Database.Directory, "blobs", key);
}

using System.Net.Http.Json;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Mail;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Cluster;

/// <summary>
/// PostgreSQL only: two nodes on one database. Blobs over the inline limit (300 KiB here) are read by the node that did
/// not store them: an attachment received by one node downloads through the other, and mail accepted by one node is
/// delivered by the other.
/// </summary>
public sealed class SharedBlobTests
{
    private static readonly byte[] Report = Enumerable.Range(0, 300 * 1024).Select(i => (byte)(i * 31 + (i >> 9))).ToArray();

    [Fact]
    public async Task An_attachment_received_by_one_node_downloads_through_the_other()
    {
        if (!TestDatabase.PostgresAvailable) return;
        await using var first = await MailroomTestServer.StartAsync("postgres");
        await using var second = await MailroomTestServer.StartAsync("postgres", IdempotentSendRaceTests.SameDatabaseAs(first));
        var api = await first.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("cluster-" + Guid.NewGuid().ToString("N")[..8]);
        var inboxId = (string)inbox["inbox_id"]!;
        var file = Path.Combine(first.Database.Directory, "report.bin");
        await File.WriteAllBytesAsync(file, Report);

        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", first.SmtpEndPoint.Address.ToString(), "--port", first.SmtpEndPoint.Port.ToString(),
            "--from", "alice@sender.example", "--to", (string)inbox["email_address"]!, "--header", "Subject: Big report",
            "--attach-type", "application/octet-stream", "--attach-name", "report.bin", "--attach", "@" + file,
        ]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);

        var item = (await InboundSmtpTests.WaitForMessageAsync(api, inboxId))["data"]![0]!;
        var attachmentId = (string)item["attachments"]![0]!["attachment_id"]!;
        var onSecond = api with { Http = second.Client(api.Token) };
        var meta = (await onSecond.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{(string)item["message_id"]!}/attachments/{attachmentId}")).Body!;
        using var download = await second.Client().GetAsync(new Uri(second.Address, new Uri((string)meta["download_url"]!).PathAndQuery));
        Assert.Equal(200, (int)download.StatusCode);
        Assert.Equal(Report, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Mail_accepted_by_a_node_that_cannot_deliver_is_delivered_by_the_other()
    {
        if (!TestDatabase.PostgresAvailable) return;
        using var sink = await SmtpSink.StartAsync();
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        // The first node's relay refuses connections and retries after a second; only the second node reaches the sink.
        await using var first = await MailroomTestServer.StartAsync("postgres",
            [.. MailroomTestServer.RelayTo(deadPort), "--Mailroom:Outbound:RetryDelays:0=1"]);
        await using var second = await MailroomTestServer.StartAsync("postgres", IdempotentSendRaceTests.SameDatabaseAs(first,
            MailroomTestServer.RelayTo(sink.Port)));
        var api = await first.NewOrganizationAsync();
        var inboxId = (string)(await api.CreateInboxAsync("sender-" + Guid.NewGuid().ToString("N")[..8]))["inbox_id"]!;

        using var sent = await api.Http.PostAsync($"api/v0/inboxes/{inboxId}/messages/send", JsonContent.Create(new
        {
            to = "rita@remote.example", subject = "the big report", text = "attached",
            attachments = new[] { new { filename = "report.bin", content_type = "application/octet-stream", content = Convert.ToBase64String(Report) } },
        }));
        Assert.Equal(200, (int)sent.StatusCode);

        var delivered = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(60)));
        var text = await File.ReadAllTextAsync(delivered);
        Assert.Contains("the big report", text);
        Assert.Contains(Convert.ToBase64String(Report)[..76], text);
    }
}

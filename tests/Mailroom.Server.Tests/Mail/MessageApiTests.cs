using System.Net;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Mailroom.Server.Tests.Mail;

/// <summary>The message, thread and attachment routes: validation, idempotency, links, deletion and organization scoping.</summary>
public sealed class MessageApiTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    /// <summary>An inbox that has received one message with one attachment from another inbox of the same org.</summary>
    private static async Task<(ApiClient Api, string InboxId, string MessageId, string ThreadId, string AttachmentId, string SenderId)> MailboxAsync(
        MailroomTestServer server)
    {
        var api = await server.NewOrganizationAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var sender = await api.CreateInboxAsync("from-" + tag);
        var inbox = await api.CreateInboxAsync("to-" + tag);
        await api.PostAsync($"/api/v0/inboxes/{(string)sender["inbox_id"]!}/messages/send", new
        {
            to = (string)inbox["email_address"]!, subject = "Files", text = "attached",
            attachments = new[] { new { filename = "a.txt", content_type = "text/plain", content = Convert.ToBase64String("hello"u8.ToArray()) } },
        });
        var item = (await InboundSmtpTests.WaitForMessageAsync(api, (string)inbox["inbox_id"]!))["data"]![0]!;
        return (api, (string)inbox["inbox_id"]!, (string)item["message_id"]!, (string)item["thread_id"]!,
            (string)item["attachments"]![0]!["attachment_id"]!, (string)sender["inbox_id"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_message_route_is_404_for_another_organization(string provider)
    {
        var server = await servers.For(provider);
        var (owner, inboxId, messageId, threadId, attachmentId, _) = await MailboxAsync(server);
        var other = await server.NewOrganizationAsync();
        (string Method, string Path, object? Body)[] routes =
        [
            ("GET", $"/api/v0/inboxes/{inboxId}/messages", null),
            ("GET", $"/api/v0/inboxes/{inboxId}/messages/{messageId}", null),
            ("PATCH", $"/api/v0/inboxes/{inboxId}/messages/{messageId}", new { labels = new[] { "x" } }),
            ("GET", $"/api/v0/inboxes/{inboxId}/messages/{messageId}/attachments/{attachmentId}", null),
            ("POST", $"/api/v0/inboxes/{inboxId}/messages/send", new { to = "a@b.example", text = "x" }),
            ("POST", $"/api/v0/inboxes/{inboxId}/messages/{messageId}/reply", new { text = "x" }),
            ("POST", $"/api/v0/inboxes/{inboxId}/messages/{messageId}/reply-all", new { text = "x" }),
            ("POST", $"/api/v0/inboxes/{inboxId}/messages/{messageId}/forward", new { to = "a@b.example" }),
            ("GET", $"/api/v0/inboxes/{inboxId}/threads", null),
            ("GET", $"/api/v0/inboxes/{inboxId}/threads/{threadId}", null),
            ("DELETE", $"/api/v0/inboxes/{inboxId}/threads/{threadId}", null),
        ];
        foreach (var (method, path, body) in routes)
        {
            var (status, error) = await other.SendAsync(new HttpMethod(method), path, body);
            Assert.True(status == 404, $"{method} {path} answered {status}");
            Assert.Equal("NotFoundError", (string)error!["name"]!);
        }
        // And the owner's mail is untouched.
        Assert.Equal(200, (await owner.GetAsync($"/api/v0/inboxes/{inboxId}/threads/{threadId}")).Status);
        Assert.Empty((await owner.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}")).Body!["labels"]!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Labels_update_and_lists_page_newest_first(string provider)
    {
        var server = await servers.For(provider);
        var (api, inboxId, messageId, _, _, _) = await MailboxAsync(server);

        var (status, body) = await api.PatchAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}", new { labels = new[] { "important", "follow-up", "important" } });
        var bad = await api.PatchAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}", new { });
        var list = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages?page_size=1")).Body!;

        Assert.Equal(200, status);
        Assert.Equal(["important", "follow-up"], body!["labels"]!.AsArray().Select(l => (string)l!));
        Assert.Equal(400, bad.Status);
        Assert.Equal("labels: is required", (string)bad.Body!["message"]!);
        Assert.Equal(1, (int)list["total"]!);
        Assert.Equal(1, (int)list["page_size"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_download_link_expires_and_refuses_an_altered_signature(string provider)
    {
        await using var server = await MailroomTestServer.StartAsync(provider, "--Mailroom:AttachmentLinkLifetime=00:00:02");
        var (api, inboxId, messageId, _, attachmentId, _) = await MailboxAsync(server);
        var link = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}/attachments/{attachmentId}")).Body!;
        var url = (string)link["download_url"]!;
        using var anonymous = new HttpClient();

        Assert.Equal("hello", await anonymous.GetStringAsync(url));
        Assert.True(DateTimeOffset.Parse((string)link["expires_at"]!) <= DateTimeOffset.UtcNow.AddSeconds(3));
        var signature = url[(url.IndexOf("signature=", StringComparison.Ordinal) + 10)..];
        var altered = url.Replace(signature, (signature[0] == 'A' ? "B" : "A") + signature[1..]);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(altered)).StatusCode);
        var otherFile = url.Replace(attachmentId, "att_00000000000000000000000000");
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(otherFile)).StatusCode);
        var later = url.Replace("expires=", "expires=9");
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(later)).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(url)).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Deleting_a_thread_removes_its_messages_attachments_and_blobs(string provider)
    {
        var server = await servers.For(provider);
        var (api, inboxId, messageId, threadId, attachmentId, _) = await MailboxAsync(server);
        var link = (string)(await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}/attachments/{attachmentId}")).Body!["download_url"]!;

        Assert.Equal(204, (await api.DeleteAsync($"/api/v0/inboxes/{inboxId}/threads/{threadId}")).Status);

        Assert.Equal(404, (await api.GetAsync($"/api/v0/inboxes/{inboxId}/threads/{threadId}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}")).Status);
        Assert.Equal(0, (int)(await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages")).Body!["total"]!);
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(link)).StatusCode);
        Assert.Equal(404, (await api.DeleteAsync($"/api/v0/inboxes/{inboxId}/threads/{threadId}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Lists_page_through_the_inbox_with_totals_that_follow_added_and_deleted_mail(string provider)
    {
        var server = await servers.For(provider);
        var (api, inboxId, firstId, firstThread, attachmentId, senderId) = await MailboxAsync(server);
        var to = (string)(await api.GetAsync($"/api/v0/inboxes/{inboxId}")).Body!["email_address"]!;
        for (var i = 0; i < 3; i++)
            Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{senderId}/messages/send", new { to, subject = $"Topic {i}", text = "hi" })).Status);
        await InboundSmtpTests.WaitForMessageAsync(api, inboxId, 4);

        var pages = new List<JsonNode>();
        for (var page = 1; page <= 3; page++) pages.Add((await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages?page={page}&page_size=3")).Body!);
        var threads = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/threads?page=2&page_size=3")).Body!;
        Assert.Equal(204, (await api.DeleteAsync($"/api/v0/inboxes/{inboxId}/threads/{firstThread}")).Status);
        var afterDelete = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages?page_size=3")).Body!;
        var threadsAfterDelete = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/threads")).Body!;

        Assert.All(pages, page => Assert.Equal(4, (int)page["total"]!));
        var items = pages.SelectMany(page => page["data"]!.AsArray()).ToList();
        Assert.Equal([3, 1, 0], pages.Select(page => page["data"]!.AsArray().Count));
        Assert.Equal(4, items.Select(item => (string)item!["message_id"]!).Distinct().Count());
        // Newest first, so the first message (the one with the attachment) is the last item, with its attachment.
        Assert.Equal(firstId, (string)items[^1]!["message_id"]!);
        Assert.Equal(attachmentId, (string)items[^1]!["attachments"]![0]!["attachment_id"]!);
        Assert.All(items.Take(3), item => Assert.Equal(0, item!["attachments"]?.AsArray().Count ?? 0));
        Assert.Equal(4, (int)threads["total"]!);
        Assert.Equal(firstThread, (string)Assert.Single(threads["data"]!.AsArray())!["thread_id"]!);
        Assert.Equal(3, (int)afterDelete["total"]!);
        Assert.Equal(3, (int)threadsAfterDelete["total"]!);
        Assert.DoesNotContain(firstThread, threadsAfterDelete["data"]!.AsArray().Select(t => (string)t!["thread_id"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_idempotency_key_makes_a_retried_send_return_the_first_result(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("idem-" + Guid.NewGuid().ToString("N")[..8]);
        var path = $"api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send";
        async Task<JsonNode> SendAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(new { to = "x@mailroom.local", text = "once" }) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await api.Http.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }

        var first = await SendAsync("order-42");
        var again = await SendAsync("order-42");
        var other = await SendAsync("order-43");

        Assert.Equal((string)first["message_id"]!, (string)again["message_id"]!);
        Assert.NotEqual((string)first["message_id"]!, (string)other["message_id"]!);
        Assert.Equal(2, (int)(await api.GetAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages")).Body!["total"]!);
    }

    [Theory]
    [InlineData("{\"text\": \"x\"}", "to: is required")]
    [InlineData("{\"to\": []}", "to: must name at least one address")]
    [InlineData("{\"to\": 5}", "to: must be a string or an array of strings")]
    [InlineData("{\"to\": \"not-an-address\"}", "to: 'not-an-address' is not an email address")]
    [InlineData("{\"to\": \"a@b.example\\r\\nBcc: victim@c.example\"}", "to: must not contain line breaks")]
    [InlineData("{\"to\": \"a@b.example\", \"subject\": \"hi\\r\\nBcc: victim@c.example\"}", "subject: must not contain line breaks")]
    [InlineData("{\"to\": \"a@b.example\", \"headers\": {\"X-Ok\": \"a\\nb\"}}", "headers.X-Ok: must not contain line breaks")]
    [InlineData("{\"to\": \"a@b.example\", \"headers\": {\"From\": \"ceo@bank.example\"}}", "headers: From is set by Mailroom and cannot be given")]
    [InlineData("{\"to\": \"a@b.example\", \"headers\": {\"DKIM-Signature\": \"v=1\"}}", "headers: DKIM-Signature is set by Mailroom and cannot be given")]
    [InlineData("{\"to\": \"a@b.example\", \"headers\": {\"Bad Name\": \"v\"}}", "headers: 'Bad Name' is not a valid header name")]
    [InlineData("{\"to\": \"a@b.example\", \"attachments\": [{\"filename\": \"a\"}]}", "attachments[0]: needs content (base64) or url")]
    [InlineData("{\"to\": \"a@b.example\", \"attachments\": [{\"content\": \"***\"}]}", "attachments[0].content: is not valid base64")]
    [InlineData("{\"to\": \"a@b.example\", \"attachments\": [{\"url\": \"http://127.0.0.1:9/x\"}]}", "attachments[0].url: could not be fetched")]
    [InlineData("{\"to\": \"a@b.example\", \"attachments\": [{\"url\": \"file:///etc/passwd\"}]}", "attachments[0].url: must be an absolute http or https URL")]
    [InlineData("{\"to\": \"a@b.example\", \"labels\": \"x\"}", "labels: must be an array of strings")]
    public async Task Invalid_sends_are_400_naming_the_field(string json, string message)
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("bad-" + Guid.NewGuid().ToString("N")[..8]);

        var (status, body) = await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send", json);

        Assert.Equal(400, status);
        Assert.StartsWith(message, (string)body!["message"]!);
        Assert.Equal(0, (int)(await api.GetAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages")).Body!["total"]!);
    }

    [Fact]
    public async Task Attachments_by_url_are_fetched_when_private_targets_are_allowed()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var host = builder.Build();
        host.MapGet("/doc.pdf", () => Results.Bytes("%PDF-1.4 tiny"u8.ToArray(), "application/pdf"));
        host.MapGet("/huge", () => Results.Bytes(new byte[2 * 1024 * 1024], "application/octet-stream"));
        await host.StartAsync();
        var baseUrl = host.Urls.First();
        await using var server = await MailroomTestServer.StartAsync("sqlite", "--Mailroom:Webhooks:AllowPrivateTargets=true",
            "--Mailroom:Outbound:MaxAttachmentBytes=1048576");
        var api = await server.NewOrganizationAsync();
        var from = await api.CreateInboxAsync("urls");
        var to = await api.CreateInboxAsync("urls-to");

        var ok = await api.PostAsync($"/api/v0/inboxes/{(string)from["inbox_id"]!}/messages/send", new
        {
            to = (string)to["email_address"]!, text = "doc", attachments = new[] { new { filename = "doc.pdf", content_type = "application/pdf", url = baseUrl + "/doc.pdf" } },
        });
        var huge = await api.PostAsync($"/api/v0/inboxes/{(string)from["inbox_id"]!}/messages/send", new
        {
            to = (string)to["email_address"]!, text = "big", attachments = new[] { new { filename = "big.bin", url = baseUrl + "/huge" } },
        });

        Assert.Equal(200, ok.Status);
        Assert.Equal(400, huge.Status);
        Assert.Contains("larger than", (string)huge.Body!["message"]!);
        var item = (await InboundSmtpTests.WaitForMessageAsync(api, (string)to["inbox_id"]!))["data"]![0]!;
        Assert.Equal("doc.pdf", (string)item["attachments"]![0]!["filename"]!);
        Assert.Equal(13, (int)item["attachments"]![0]!["size"]!);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Core.Webhooks;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Mail;

/// <summary>Send, reply, reply-all and forward between hosted inboxes, with webhooks watching, on both databases.</summary>
public sealed class MessagingTests : IAsyncLifetime
{
    private readonly Dictionary<string, MailroomTestServer> _servers = [];

    public static TheoryData<string> Providers() => TestDatabase.Providers();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values) await server.DisposeAsync();
    }

    private async Task<MailroomTestServer> ServerAsync(string provider)
    {
        if (!_servers.TryGetValue(provider, out var server))
            _servers[provider] = server = await MailroomTestServer.StartAsync(provider, "--Mailroom:Webhooks:AllowPrivateTargets=true",
                "--Mailroom:Webhooks:RetrySchedule:0=0", "--Mailroom:Webhooks:RetrySchedule:1=0.3", "--Mailroom:Webhooks:RetrySchedule:2=0.3",
                "--Mailroom:Webhooks:RetrySchedule:3=0.3", "--Mailroom:Webhooks:RetrySchedule:4=0.3");
        return server;
    }

    private static async Task<JsonNode> WaitForThreadAsync(ApiClient api, string inboxId, string threadId, int messages)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (status, body) = await api.GetAsync($"/api/v0/inboxes/{inboxId}/threads/{threadId}");
            if (status == 200 && (int)body!["message_count"]! >= messages || DateTime.UtcNow > deadline) return body!;
            await Task.Delay(100);
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_sends_to_B_with_an_attachment_B_replies_and_both_see_one_thread(string provider)
    {
        var server = await ServerAsync(provider);
        await using var receiver = await WebhookReceiver.StartAsync();
        var api = await server.NewOrganizationAsync();
        var a = await api.CreateInboxAsync("alice-" + Guid.NewGuid().ToString("N")[..6]);
        var b = await api.CreateInboxAsync("bob-" + Guid.NewGuid().ToString("N")[..6]);
        var (aId, bId) = ((string)a["inbox_id"]!, (string)b["inbox_id"]!);
        var hook = (await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.received" }, inbox_ids = new[] { bId } })).Body!;
        var pdf = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();

        var (status, sent) = await api.PostAsync($"/api/v0/inboxes/{aId}/messages/send", new
        {
            to = (string)b["email_address"]!, subject = "Quarterly plan", text = "Plan attached.", html = "<p>Plan <b>attached</b>.</p>",
            labels = new[] { "outreach" }, headers = new Dictionary<string, string> { ["X-Campaign"] = "q3" },
            attachments = new[] { new { filename = "plan.bin", content_type = "application/octet-stream", content = Convert.ToBase64String(pdf) } },
        });
        Assert.Equal(200, status);
        Assert.StartsWith("msg_", (string)sent!["message_id"]!);
        Assert.StartsWith("thr_", (string)sent["thread_id"]!);

        // B receives it, attachment intact, and the webhook gets message.received with a signature that verifies.
        var inboxB = await InboundSmtpTests.WaitForMessageAsync(api, bId);
        var receivedItem = inboxB["data"]![0]!;
        Assert.Equal("Quarterly plan", (string)receivedItem["subject"]!);
        var received = (await api.GetAsync($"/api/v0/inboxes/{bId}/messages/{(string)receivedItem["message_id"]!}")).Body!;
        Assert.Contains("Plan attached.", (string)received["text"]!);
        Assert.Contains("<b>attached</b>", (string)received["html"]!);
        Assert.Equal("q3", (string)received["headers"]!["X-Campaign"]!);
        var file = received["attachments"]![0]!;
        var link = (await api.GetAsync($"/api/v0/inboxes/{bId}/messages/{(string)receivedItem["message_id"]!}/attachments/{(string)file["attachment_id"]!}")).Body!;
        Assert.Equal(pdf, await server.Client().GetByteArrayAsync((string)link["download_url"]!));

        var delivery = Assert.Single(await receiver.WaitForAsync(1));
        Assert.True(WebhookSignature.Verify((string)hook["secret"]!, delivery.Id, long.Parse(delivery.Timestamp), delivery.Body, delivery.Signature,
            DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var payload = JsonNode.Parse(delivery.Body)!;
        Assert.Equal("message.received", (string)payload["event_type"]!);
        Assert.Equal((string)receivedItem["message_id"]!, (string)payload["message"]!["message_id"]!);

        // B replies; A sees its message and the reply in one thread, the reply threaded by In-Reply-To.
        var reply = (await api.PostAsync($"/api/v0/inboxes/{bId}/messages/{(string)receivedItem["message_id"]!}/reply", new { text = "Looks good." })).Body!;
        var thread = await WaitForThreadAsync(api, aId, (string)sent["thread_id"]!, 2);
        var messages = thread["messages"]!.AsArray();
        Assert.Equal(["outbound", "inbound"], messages.Select(m => (string)m!["direction"]!));
        Assert.Equal("Re: Quarterly plan", (string)messages[1]!["subject"]!);
        Assert.Contains("Looks good.", (string)messages[1]!["text"]!);
        Assert.Equal((string)messages[0]!["headers"]!["Message-ID"]!, "<" + (string)messages[1]!["in_reply_to"]! + ">");
        var bReply = (await api.GetAsync($"/api/v0/inboxes/{bId}/messages/{(string)reply["message_id"]!}")).Body!;
        Assert.Equal([(string)a["email_address"]!], bReply["to"]!.AsArray().Select(x => (string)x!));
        Assert.Equal((string)receivedItem["thread_id"]!, (string)reply["thread_id"]!);

        // The sender's copy moves to delivered once B's inbox took it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? state = null;
        while (DateTime.UtcNow < deadline && (state = (string?)(await api.GetAsync($"/api/v0/inboxes/{aId}/messages/{(string)sent["message_id"]!}")).Body!["status"]) != "delivered")
            await Task.Delay(100);
        Assert.Equal("delivered", state);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reply_all_and_forward_choose_the_right_recipients(string provider)
    {
        var server = await ServerAsync(provider);
        var api = await server.NewOrganizationAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var me = await api.CreateInboxAsync("me-" + tag);
        var boss = await api.CreateInboxAsync("boss-" + tag);
        var peer = await api.CreateInboxAsync("peer-" + tag);
        var watcher = await api.CreateInboxAsync("watch-" + tag);
        var other = await api.CreateInboxAsync("other-" + tag);
        string Address(JsonNode inbox) => (string)inbox["email_address"]!;

        // boss writes to me and peer, cc watcher; me replies to all and forwards to other.
        await api.PostAsync($"/api/v0/inboxes/{(string)boss["inbox_id"]!}/messages/send",
            new { to = new[] { Address(me), Address(peer) }, cc = Address(watcher), subject = "Kickoff", text = "See you at 10." });
        var original = (await InboundSmtpTests.WaitForMessageAsync(api, (string)me["inbox_id"]!))["data"]![0]!;
        var originalId = (string)original["message_id"]!;

        var all = (await api.PostAsync($"/api/v0/inboxes/{(string)me["inbox_id"]!}/messages/{originalId}/reply-all",
            new { text = "Thanks, everyone!", cc = "extra-" + tag + "@mailroom.local" })).Body!;
        var allMessage = (await api.GetAsync($"/api/v0/inboxes/{(string)me["inbox_id"]!}/messages/{(string)all["message_id"]!}")).Body!;
        Assert.Equal(new[] { Address(boss), Address(peer) }.Order(), allMessage["to"]!.AsArray().Select(x => (string)x!).Order());
        Assert.Equal(new[] { Address(watcher), "extra-" + tag + "@mailroom.local" }, allMessage["cc"]!.AsArray().Select(x => (string)x!));
        Assert.Equal((string)original["thread_id"]!, (string)all["thread_id"]!);

        var forward = (await api.PostAsync($"/api/v0/inboxes/{(string)me["inbox_id"]!}/messages/{originalId}/forward",
            new { to = Address(other), text = "FYI, see below." })).Body!;
        Assert.NotEqual((string)original["thread_id"]!, (string)forward["thread_id"]!);
        var forwarded = (await InboundSmtpTests.WaitForMessageAsync(api, (string)other["inbox_id"]!))["data"]![0]!;
        var forwardedMessage = (await api.GetAsync($"/api/v0/inboxes/{(string)other["inbox_id"]!}/messages/{(string)forwarded["message_id"]!}")).Body!;
        Assert.Equal("Fwd: Kickoff", (string)forwardedMessage["subject"]!);
        Assert.Equal("FYI, see below.", ((string)forwardedMessage["text"]!).Trim());

        var plainForward = (await api.PostAsync($"/api/v0/inboxes/{(string)me["inbox_id"]!}/messages/{originalId}/forward", new { to = Address(other) })).Body!;
        var plain = (await api.GetAsync($"/api/v0/inboxes/{(string)me["inbox_id"]!}/messages/{(string)plainForward["message_id"]!}")).Body!;
        Assert.Contains("---------- Forwarded message ---------", (string)plain["text"]!);
        Assert.Contains("See you at 10.", (string)plain["text"]!);

        // The reply-all reached everyone hosted here, including the extra cc that has no inbox: none for it.
        var peerInbox = await InboundSmtpTests.WaitForMessageAsync(api, (string)peer["inbox_id"]!, 2);
        Assert.Equal(2, (int)peerInbox["total"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_receiver_that_fails_three_times_gets_the_event_on_the_fourth_attempt(string provider)
    {
        var server = await ServerAsync(provider);
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 3);
        var api = await server.NewOrganizationAsync();
        var from = await api.CreateInboxAsync("flaky-from-" + Guid.NewGuid().ToString("N")[..6]);
        var hook = (await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.sent" } })).Body!;

        await api.PostAsync($"/api/v0/inboxes/{(string)from["inbox_id"]!}/messages/send", new { to = "nobody@mailroom.local", subject = "ping", text = "x" });

        var requests = await receiver.WaitForAsync(4);
        Assert.Equal(4, requests.Count);
        Assert.Single(requests.Select(r => r.Id).Distinct());
        var deliveries = (await api.GetAsync($"/api/v0/webhooks/{(string)hook["webhook_id"]!}/deliveries")).Body!;
        var deliveryId = (string)deliveries["data"]![0]!["delivery_id"]!;
        JsonNode detail;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do detail = (await api.GetAsync($"/api/v0/webhooks/{(string)hook["webhook_id"]!}/deliveries/{deliveryId}")).Body!;
        while ((string)detail["status"]! != "delivered" && DateTime.UtcNow < deadline && await Task.Delay(100).ContinueWith(_ => true));
        Assert.Equal("delivered", (string)detail["status"]!);
        Assert.Equal(4, (int)detail["attempts"]!);
        Assert.Equal([503, 503, 503, 200], detail["attempt_log"]!.AsArray().Select(x => (int)x!["status_code"]!));

        var retry = await api.PostAsync($"/api/v0/webhooks/{(string)hook["webhook_id"]!}/deliveries/{deliveryId}/retry", null);
        Assert.Equal(202, retry.Status);
        Assert.Equal(5, (await receiver.WaitForAsync(5)).Count);
    }

    [Fact]
    public async Task An_endpoint_that_keeps_failing_is_disabled_and_every_attempt_is_recorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 1000);
        await using var server = await MailroomTestServer.StartAsync("sqlite", "--Mailroom:Webhooks:AllowPrivateTargets=true",
            "--Mailroom:Webhooks:DisableAfter=00:00:01", "--Mailroom:Webhooks:RetrySchedule:0=0", "--Mailroom:Webhooks:RetrySchedule:1=0.6",
            "--Mailroom:Webhooks:RetrySchedule:2=0.6", "--Mailroom:Webhooks:RetrySchedule:3=0.6");
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("doomed");
        var hook = (string)(await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.sent" } })).Body!["webhook_id"]!;

        await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send", new { to = "nobody@mailroom.local", text = "x" });

        Assert.Equal(4, (await receiver.WaitForAsync(4)).Count);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonNode webhook;
        do webhook = (await api.GetAsync($"/api/v0/webhooks/{hook}")).Body!;
        while ((bool)webhook["enabled"]! && DateTime.UtcNow < deadline && await Task.Delay(100).ContinueWith(_ => true));
        Assert.False((bool)webhook["enabled"]!);
        var delivery = (await api.GetAsync($"/api/v0/webhooks/{hook}/deliveries")).Body!["data"]![0]!;
        var detail = (await api.GetAsync($"/api/v0/webhooks/{hook}/deliveries/{(string)delivery["delivery_id"]!}")).Body!;
        Assert.Equal("failed", (string)detail["status"]!);
        Assert.All(detail["attempt_log"]!.AsArray(), a => Assert.Equal(503, (int)a!["status_code"]!));
        Assert.Equal(4, detail["attempt_log"]!.AsArray().Count);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_event_stream_sees_the_events_and_resumes_after_a_drop(string provider)
    {
        var server = await ServerAsync(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("stream-" + Guid.NewGuid().ToString("N")[..6]);
        var inboxId = (string)inbox["inbox_id"]!;
        using var client = server.Client(api.Token);
        client.Timeout = TimeSpan.FromSeconds(60);

        var first = await OpenStreamAsync(client, $"api/v0/events/stream?inbox_ids={inboxId}&event_types=message.sent", null);
        await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new { to = "nobody@mailroom.local", subject = "one", text = "1" });
        var one = await first.NextAsync();
        first.Dispose();
        Assert.Equal("message.sent", one.Type);
        Assert.Equal("one", (string)JsonNode.Parse(one.Data)!["message"]!["subject"]!);

        // While no one listens, two more events happen; resuming from the last seen id yields exactly those.
        await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new { to = "nobody@mailroom.local", subject = "two", text = "2" });
        await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new { to = "nobody@mailroom.local", subject = "three", text = "3" });
        using var resumed = await OpenStreamAsync(client, $"api/v0/events/stream?inbox_ids={inboxId}&event_types=message.sent", one.Id);
        var two = await resumed.NextAsync();
        var three = await resumed.NextAsync();
        Assert.Equal(["two", "three"], new[] { two, three }.Select(e => (string)JsonNode.Parse(e.Data)!["message"]!["subject"]!));

        using var stranger = server.Client((await server.NewOrganizationAsync()).Token);
        var foreign = await stranger.GetAsync($"api/v0/events/stream?last_event_id={one.Id}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(400, (int)foreign.StatusCode);
    }

    private sealed record StreamEvent(string Id, string Type, string Data);

    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public async Task<StreamEvent> NextAsync()
        {
            string? id = null, type = null, data = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("id: ")) id = line[4..];
                else if (line.StartsWith("event: ")) type = line[7..];
                else if (line.StartsWith("data: ")) data = line[6..];
                else if (line.Length == 0 && data is not null) return new StreamEvent(id!, type!, data);
            }
            throw new EndOfStreamException();
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    private static async Task<EventStream> OpenStreamAsync(HttpClient client, string path, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        Assert.Equal(": connected", await reader.ReadLineAsync());
        return new EventStream(response, reader);
    }
}

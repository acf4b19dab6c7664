using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.AgentChannels;

/// <summary>SMS out through the carrier with its status callbacks, SMS in through the signed webhook, and the events both raise, on both databases.</summary>
public sealed class SmsApiTests(AgentChannelServers servers) : IClassFixture<AgentChannelServers>
{
    private static readonly string[] SmsEvents = ["sms.received", "sms.sent", "sms.delivered", "sms.failed"];

    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task An_sms_is_sent_through_the_carrier_and_its_statuses_reach_webhooks(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        Assert.Equal(201, (await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = SmsEvents })).Status);
        var number = await api.BuyNumberAsync();
        var (id, e164) = ((string)number["id"]!, (string)number["number"]!);

        var (status, sent) = await api.PostAsync($"/api/v1/phone/numbers/{id}/messages", new { to = "+14155550123", text = "Your table is ready." });
        Assert.Equal(201, status);
        Assert.Equal("outbound", (string)sent!["direction"]!);
        Assert.Equal(e164, (string)sent["from"]!);
        Assert.Equal("+14155550123", (string)sent["to"]!);
        Assert.Equal(id, (string)sent["phone_number_id"]!);
        Assert.Contains(carrier.Sent, m => m.From == e164 && m.To == "+14155550123" && m.Body == "Your table is ready.");

        var failed = (await api.PostAsync($"/api/v1/phone/numbers/{id}/messages", new { to = FakeTwilio.FailingRecipient, text = "Anyone there?" })).Body!;

        var events = (await receiver.WaitForAsync(4)).Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(4, events.Count);
        var forSent = events.Where(e => (string)e["sms"]!["sms_id"]! == (string)sent["id"]!).ToList();
        Assert.Equal(["sms.delivered", "sms.sent"], forSent.Select(e => (string)e["event_type"]!).Order());
        Assert.All(forSent, e => Assert.Equal(id, (string)e["sms"]!["phone_number_id"]!));
        Assert.Null(forSent[0]["inbox_id"]);
        var forFailed = events.Where(e => (string)e["sms"]!["sms_id"]! == (string)failed["id"]!).ToList();
        var failure = Assert.Single(forFailed, e => (string)e["event_type"]! == "sms.failed");
        Assert.Equal("Twilio error 30003", (string)failure["sms"]!["error"]!);

        var conversations = (await api.GetAsync($"/api/v1/phone/numbers/{id}/messages")).Body!.AsArray();
        Assert.Equal(["+14155550123", FakeTwilio.FailingRecipient], conversations.Select(c => (string)c!["remote_number"]!).Order());
        var delivered = conversations.Single(c => (string)c!["remote_number"]! == "+14155550123")!["messages"]![0]!;
        Assert.Equal("delivered", (string)delivered["status"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Inbound_sms_are_accepted_only_when_signed_and_stored_once(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        Assert.Equal(201, (await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "sms.received" } })).Status);
        var number = await api.BuyNumberAsync();
        var (id, e164) = ((string)number["id"]!, (string)number["number"]!);
        var sid = "SM" + Guid.NewGuid().ToString("N");

        using var accepted = await carrier.DeliverInboundAsync("+14155550177", e164, "Is the order shipped?", sid);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("text/xml", accepted.Content.Headers.ContentType!.MediaType);
        using var retried = await carrier.DeliverInboundAsync("+14155550177", e164, "Is the order shipped?", sid);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);

        using var wrongKey = await carrier.DeliverInboundAsync("+14155550177", e164, "forged", "SM" + Guid.NewGuid().ToString("N"), "not-the-auth-token");
        Assert.Equal(HttpStatusCode.Forbidden, wrongKey.StatusCode);
        var fields = new Dictionary<string, string> { ["MessageSid"] = "SMforged", ["From"] = "+14155550177", ["To"] = e164, ["Body"] = "forged" };
        using var tampered = await carrier.PostSignedAsync(FakeTwilio.PublicUrl + "/hooks/twilio/sms", fields,
            signature: FakeTwilio.Sign(FakeTwilio.PublicUrl + "/hooks/twilio/sms", new Dictionary<string, string>(fields) { ["Body"] = "original" }));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        using var unsigned = await server.Client().PostAsync("/hooks/twilio/sms", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);

        // A second party, and a reply, so that the list shows two conversations.
        using var other = await carrier.DeliverInboundAsync("+14155550188", e164, "Wrong number?", "SM" + Guid.NewGuid().ToString("N"));
        Assert.Equal(201, (await api.PostAsync($"/api/v1/phone/numbers/{id}/messages", new { to = "+14155550177", text = "Shipped today." })).Status);

        var conversations = (await api.GetAsync($"/api/v1/phone/numbers/{id}/messages")).Body!.AsArray();
        Assert.Equal(["+14155550177", "+14155550188"], conversations.Select(c => (string)c!["remote_number"]!));
        var first = conversations[0]!["messages"]!.AsArray();
        Assert.Equal(["inbound", "outbound"], first.Select(m => (string)m!["direction"]!));
        Assert.Equal("Is the order shipped?", (string)first[0]!["text"]!);
        Assert.Equal("+14155550177", (string)first[0]!["from"]!);
        Assert.Equal("received", (string)first[0]!["status"]!);

        var deliveries = await receiver.WaitForAsync(2);
        await Task.Delay(500); // a duplicate would have been fanned out by now
        var received = receiver.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(2, received.Count);
        Assert.Single(received, e => (string)e["sms"]!["text"]! == "Is the order shipped?");
        Assert.All(received, e => Assert.Equal("sms.received", (string)e["event_type"]!));
        Assert.NotEmpty(deliveries);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Sending_checks_its_fields_and_a_paused_identity_sends_nothing(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var handle = V1.Unique("quiet");
        await api.CreateIdentityAsync(handle);
        var id = (string)(await api.BuyNumberAsync(handle: handle))["id"]!;

        Assert.Equal(422, (await api.PostAsync($"/api/v1/phone/numbers/{id}/messages", new { to = "0415 555", text = "hi" })).Status);
        Assert.Equal(422, (await api.PostAsync($"/api/v1/phone/numbers/{id}/messages", new { to = "+14155550100" })).Status);
        Assert.Equal(422, (await api.PostAsync($"/api/v1/phone/numbers/{id}/messages", new { to = "+14155550100", text = new string('x', 1601) })).Status);
        Assert.Equal(404, (await api.PostAsync($"/api/v1/phone/numbers/{Guid.NewGuid()}/messages", new { to = "+14155550100", text = "hi" })).Status);

        await api.PatchAsync($"/api/v1/identities/{handle}", new { status = "paused" });
        var sentBefore = carrier.Sent.Count;
        var (paused, body) = await api.PostAsync($"/api/v1/phone/numbers/{id}/messages", new { to = "+14155550100", text = "hi" });
        Assert.Equal(403, paused);
        Assert.Contains("paused", (string)body!["detail"]!);
        Assert.Equal(sentBefore, carrier.Sent.Count);
        Assert.Empty((await api.GetAsync($"/api/v1/phone/numbers/{id}/messages")).Body!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Mail_to_an_agents_mailbox_and_an_sms_to_its_number_both_reach_webhooks_and_the_stream(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        Assert.Equal(201, (await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.received", "sms.received" } })).Status);
        var handle = V1.Unique("concierge");
        await api.CreateIdentityAsync(handle);
        var mailbox = await api.CreateMailboxAsync(V1.Unique("concierge"), handle);
        var number = await api.BuyNumberAsync(handle: handle);
        var detail = (await api.GetAsync($"/api/v1/identities/{handle}")).Body!;
        Assert.Equal((string)mailbox["email_address"]!, (string)detail["mailbox"]!["email_address"]!);
        Assert.Equal((string)number["number"]!, (string)detail["phone_number"]!["number"]!);

        using var client = server.Client(api.Token);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await client.GetAsync("api/v0/events/stream?event_types=sms.received", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cancel.Token), Encoding.UTF8);
        Assert.Equal(": connected", await reader.ReadLineAsync(cancel.Token));

        var sender = (string)(await api.CreateInboxAsync(V1.Unique("guest")))["inbox_id"]!;
        Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{sender}/messages/send",
            new { to = (string)mailbox["email_address"]!, subject = "Late checkout", text = "May I check out at 2?" })).Status);
        using var sms = await carrier.DeliverInboundAsync("+14155550199", (string)number["number"]!, "Taxi at 7, please", "SM" + Guid.NewGuid().ToString("N"));
        Assert.Equal(HttpStatusCode.OK, sms.StatusCode);

        var events = (await receiver.WaitForAsync(2)).Select(r => JsonNode.Parse(r.Body)!).ToList();
        var mail = Assert.Single(events, e => (string)e["event_type"]! == "message.received");
        Assert.Equal("Late checkout", (string)mail["message"]!["subject"]!);
        Assert.Equal(Core.Common.Ids.ToUuid((string)mail["inbox_id"]!)!.Value.ToString(), (string)mailbox["id"]!); // one mailbox, two spellings
        var text = Assert.Single(events, e => (string)e["event_type"]! == "sms.received");
        Assert.Equal("Taxi at 7, please", (string)text["sms"]!["text"]!);
        Assert.Equal((string)number["id"]!, (string)text["sms"]!["phone_number_id"]!);

        string? line;
        while ((line = await reader.ReadLineAsync(cancel.Token)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal)) { }
        Assert.Equal("Taxi at 7, please", (string)JsonNode.Parse(line!["data: ".Length..])!["sms"]!["text"]!);
    }
}

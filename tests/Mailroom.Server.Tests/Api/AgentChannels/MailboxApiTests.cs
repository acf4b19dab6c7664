using Mailroom.Core.Common;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.AgentChannels;

/// <summary>Mailboxes are v0 inboxes named by address, on both databases.</summary>
public sealed class MailboxApiTests(AgentChannelServers servers) : IClassFixture<AgentChannelServers>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_mailbox_is_the_same_inbox_in_v0_and_is_read_changed_and_deleted_by_address(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        var local = V1.Unique("frontdesk");
        var mailbox = await api.CreateMailboxAsync(local);
        var address = (string)mailbox["email_address"]!;
        Assert.Equal($"{local}@mailroom.local", address);
        Assert.Equal("Box " + local, (string)mailbox["display_name"]!);
        Assert.Equal("active", (string)mailbox["status"]!);

        // The UUID and the v0 inbox_id are the same 128 bits.
        var inboxId = Ids.FromUuid(Ids.Inbox, Guid.Parse((string)mailbox["id"]!));
        var inbox = await api.GetAsync($"/api/v0/inboxes/{inboxId}");
        Assert.Equal(200, inbox.Status);
        Assert.Equal(address, (string)inbox.Body!["email_address"]!);
        var v0Made = await api.CreateInboxAsync(V1.Unique("made-in-v0"));
        var seen = (await api.GetAsync($"/api/v1/mail/mailboxes/{(string)v0Made["email_address"]!}")).Body!;
        Assert.Equal(Ids.ToUuid((string)v0Made["inbox_id"]!)!.Value.ToString(), (string)seen["id"]!);

        var list = (await api.GetAsync("/api/v1/mail/mailboxes")).Body!.AsArray();
        Assert.Equal([(string)seen["id"]!, (string)mailbox["id"]!], list.Select(m => (string)m!["id"]!)); // newest first

        Assert.Equal(409, (await api.PostAsync("/api/v1/mail/mailboxes", new { email_local_part = local })).Status);
        Assert.Equal(422, (await api.PostAsync("/api/v1/mail/mailboxes", new { email_local_part = "not valid" })).Status);
        Assert.Equal(404, (await api.PostAsync("/api/v1/mail/mailboxes", new { agent_handle = "nobody-here" })).Status);

        var renamed = await api.PatchAsync($"/api/v1/mail/mailboxes/{address}", new { display_name = "Front Desk" });
        Assert.Equal(200, renamed.Status);
        Assert.Equal("Front Desk", (string)renamed.Body!["display_name"]!);
        Assert.Equal("Front Desk", (string)(await api.GetAsync($"/api/v0/inboxes/{inboxId}")).Body!["display_name"]!);
        Assert.Equal(404, (await api.PatchAsync("/api/v1/mail/mailboxes/nobody@mailroom.local", new { display_name = "x" })).Status);

        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/mail/mailboxes/{address}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/v1/mail/mailboxes/{address}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/v0/inboxes/{inboxId}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_mailboxs_webhook_url_is_a_signed_webhook_for_its_mail(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var mailbox = await api.CreateMailboxAsync(V1.Unique("hooked"));
        var other = await api.CreateMailboxAsync(V1.Unique("unhooked"));
        var address = (string)mailbox["email_address"]!;

        var (status, set) = await api.PatchAsync($"/api/v1/mail/mailboxes/{address}", new { webhook_url = receiver.Url });
        Assert.Equal(200, status);
        Assert.Equal(receiver.Url, (string)set!["webhook_url"]!);
        var secret = (string)set["webhook_secret"]!;
        var read = (await api.GetAsync($"/api/v1/mail/mailboxes/{address}")).Body!;
        Assert.Equal(receiver.Url, (string)read["webhook_url"]!);
        Assert.Null(read["webhook_secret"]);
        Assert.Null((await api.GetAsync($"/api/v1/mail/mailboxes/{(string)other["email_address"]!}")).Body!["webhook_url"]);
        Assert.Equal(422, (await api.PatchAsync($"/api/v1/mail/mailboxes/{address}", new { webhook_url = "ftp://nowhere" })).Status);

        var sender = (string)(await api.CreateInboxAsync(V1.Unique("sender")))["inbox_id"]!;
        foreach (var to in new[] { (string)other["email_address"]!, address })
            Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{sender}/messages/send", new { to, subject = "For " + to, text = "Hello." })).Status);
        var delivery = Assert.Single(await receiver.WaitForAsync(1));
        Assert.True(Core.Webhooks.WebhookSignature.Verify(secret, delivery.Id, long.Parse(delivery.Timestamp), delivery.Body, delivery.Signature,
            DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal("For " + address, (string)System.Text.Json.Nodes.JsonNode.Parse(delivery.Body)!["message"]!["subject"]!);

        var removed = await api.PatchAsync($"/api/v1/mail/mailboxes/{address}", "{\"webhook_url\": null}");
        Assert.Null(removed.Body!["webhook_url"]);
        Assert.Null((await api.GetAsync($"/api/v1/mail/mailboxes/{address}")).Body!["webhook_url"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_mailbox_made_for_a_handle_takes_its_name_and_is_linked(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        var handle = V1.Unique("Support.Bot");
        await api.CreateIdentityAsync(handle);

        var (status, mailbox) = await api.PostAsync("/api/v1/mail/mailboxes", new { agent_handle = "@" + handle, display_name = "Support" });
        Assert.Equal(201, status);
        Assert.Equal($"{handle.ToLowerInvariant()}@mailroom.local", (string)mailbox!["email_address"]!);
        Assert.Equal((string)mailbox["id"]!, (string)(await api.GetAsync($"/api/v1/identities/{handle}")).Body!["mailbox"]!["id"]!);

        // Deleting the mailbox unlinks it; the identity stays.
        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/mail/mailboxes/{(string)mailbox["email_address"]!}")).Status);
        Assert.Null((await api.GetAsync($"/api/v1/identities/{handle}")).Body!["mailbox"]);
    }
}

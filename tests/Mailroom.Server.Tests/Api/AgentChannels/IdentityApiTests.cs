using System.Net;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.AgentChannels;

/// <summary>Identities and the assignment of their channels, every status code of the spec's tables, on both databases.</summary>
public sealed class IdentityApiTests(AgentChannelServers servers) : IClassFixture<AgentChannelServers>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Identities_are_created_read_listed_changed_and_deleted_by_handle(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        var handle = V1.Unique("sales");

        var (created, body) = await api.PostAsync("/api/v1/identities", new { agent_handle = "@" + handle });
        Assert.Equal(201, created);
        Assert.Equal(handle, (string)body!["agent_handle"]!);
        Assert.Equal("active", (string)body["status"]!);
        Assert.True(Guid.TryParse((string)body["id"]!, out _));
        Assert.Equal(Ids.ToUuid(api.OrgId)!.Value.ToString(), (string)body["organization_id"]!);
        Assert.Null(body["mailbox"]);
        Assert.Null(body["phone_number"]);

        Assert.Equal(409, (await api.PostAsync("/api/v1/identities", new { agent_handle = handle })).Status);
        var (empty, emptyBody) = await api.PostAsync("/api/v1/identities", new { agent_handle = "@" });
        Assert.Equal(422, empty);
        Assert.Equal(["body", "agent_handle"], emptyBody!["detail"]![0]!["loc"]!.AsArray().Select(l => (string)l!));
        Assert.Equal(422, (await api.PostAsync("/api/v1/identities", new { agent_handle = new string('a', 256) })).Status);
        Assert.Equal(201, (await api.PostAsync("/api/v1/identities", new { agent_handle = new string('a', 255) })).Status);
        Assert.Equal(422, (await api.PostAsync("/api/v1/identities", new { })).Status);

        var (got, detail) = await api.GetAsync($"/api/v1/identities/{handle}");
        Assert.Equal(200, got);
        Assert.Equal((string)body["id"]!, (string)detail!["id"]!);
        Assert.Equal(200, (await api.GetAsync($"/api/v1/identities/@{handle}")).Status);
        var (missing, missingBody) = await api.GetAsync("/api/v1/identities/nobody-here");
        Assert.Equal(404, missing);
        Assert.Equal("Identity not found", (string)missingBody!["detail"]!);

        var list = (await api.GetAsync("/api/v1/identities")).Body!.AsArray();
        Assert.Equal(2, list.Count);
        Assert.Equal(new string('a', 255), (string)list[0]!["agent_handle"]!); // newest first
        Assert.Null(list[0]!["mailbox"]);

        var paused = await api.PatchAsync($"/api/v1/identities/{handle}", new { status = "paused" });
        Assert.Equal(200, paused.Status);
        Assert.Equal("paused", (string)paused.Body!["status"]!);
        Assert.Equal(422, (await api.PatchAsync($"/api/v1/identities/{handle}", new { status = "sleeping" })).Status);
        Assert.Equal(409, (await api.PatchAsync($"/api/v1/identities/{handle}", new { agent_handle = new string('a', 255) })).Status);
        var renamed = await api.PatchAsync($"/api/v1/identities/{handle}", new { agent_handle = handle + "-2" });
        Assert.Equal(200, renamed.Status);
        Assert.Equal("paused", (string)renamed.Body!["status"]!);
        Assert.Equal(404, (await api.GetAsync($"/api/v1/identities/{handle}")).Status);

        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/identities/{handle}-2")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/v1/identities/{handle}-2")).Status);
        Assert.Equal(404, (await api.DeleteAsync($"/api/v1/identities/{handle}-2")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Assigning_a_mailbox_answers_as_the_spec_table_says(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        var (first, second) = (V1.Unique("first"), V1.Unique("second"));
        await api.CreateIdentityAsync(first);
        await api.CreateIdentityAsync(second);
        var mailbox = await api.CreateMailboxAsync(V1.Unique("box"));
        var mailboxId = (string)mailbox["id"]!;

        var (assigned, detail) = await api.PostAsync($"/api/v1/identities/{first}/mailbox", new { mailbox_id = mailboxId });
        Assert.Equal(200, assigned);
        Assert.Equal(mailboxId, (string)detail!["mailbox"]!["id"]!);
        Assert.Equal((string)mailbox["email_address"]!, (string)detail["mailbox"]!["email_address"]!);
        Assert.Null(detail["phone_number"]);
        Assert.Equal(200, (await api.PostAsync($"/api/v1/identities/{first}/mailbox", new { mailbox_id = mailboxId })).Status); // same again: no conflict

        var (taken, takenBody) = await api.PostAsync($"/api/v1/identities/{second}/mailbox", new { mailbox_id = mailboxId });
        Assert.Equal(409, taken);
        Assert.Contains(first, (string)takenBody!["detail"]!);
        Assert.Equal(404, (await api.PostAsync($"/api/v1/identities/{second}/mailbox", new { mailbox_id = Guid.NewGuid() })).Status);
        Assert.Equal(404, (await api.PostAsync("/api/v1/identities/no-such-agent/mailbox", new { mailbox_id = mailboxId })).Status);
        Assert.Equal(422, (await api.PostAsync($"/api/v1/identities/{second}/mailbox", new { })).Status);
        Assert.Equal(422, (await api.PostAsync($"/api/v1/identities/{second}/mailbox", new { mailbox_id = "not-a-uuid" })).Status);
        Assert.Equal(422, (await api.PostAsync($"/api/v1/identities/{second}/mailbox", new { mailbox_id = 42 })).Status);

        // Unlinked, it stays and can go to another identity.
        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/identities/{first}/mailbox")).Status);
        Assert.Null((await api.GetAsync($"/api/v1/identities/{first}")).Body!["mailbox"]);
        Assert.Equal(200, (await api.GetAsync($"/api/v1/mail/mailboxes/{(string)mailbox["email_address"]!}")).Status);
        var (moved, movedBody) = await api.PostAsync($"/api/v1/identities/{second}/mailbox", new { mailbox_id = mailboxId });
        Assert.Equal(200, moved);
        Assert.Equal(mailboxId, (string)movedBody!["mailbox"]!["id"]!);
        Assert.Equal(404, (await api.DeleteAsync("/api/v1/identities/no-such-agent/mailbox")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Assigning_a_phone_number_answers_as_the_spec_table_says(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        var (first, second) = (V1.Unique("first"), V1.Unique("second"));
        await api.CreateIdentityAsync(first);
        await api.CreateIdentityAsync(second);
        var number = await api.BuyNumberAsync();
        var numberId = (string)number["id"]!;

        var (assigned, detail) = await api.PostAsync($"/api/v1/identities/{first}/phone_number", new { phone_number_id = numberId });
        Assert.Equal(200, assigned);
        Assert.Equal((string)number["number"]!, (string)detail!["phone_number"]!["number"]!);
        Assert.Equal("local", (string)detail["phone_number"]!["type"]!);
        Assert.Equal(200, (await api.PostAsync($"/api/v1/identities/{first}/phone_number", new { phone_number_id = numberId })).Status);
        Assert.Equal(409, (await api.PostAsync($"/api/v1/identities/{second}/phone_number", new { phone_number_id = numberId })).Status);
        Assert.Equal(404, (await api.PostAsync($"/api/v1/identities/{second}/phone_number", new { phone_number_id = Guid.NewGuid() })).Status);
        Assert.Equal(404, (await api.PostAsync("/api/v1/identities/no-such-agent/phone_number", new { phone_number_id = numberId })).Status);
        Assert.Equal(422, (await api.PostAsync($"/api/v1/identities/{second}/phone_number", new { })).Status);
        Assert.Equal(422, (await api.PostAsync($"/api/v1/identities/{second}/phone_number", new { phone_number_id = "12345" })).Status);

        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/identities/{first}/phone_number")).Status);
        Assert.Null((await api.GetAsync($"/api/v1/identities/{first}")).Body!["phone_number"]);
        Assert.Equal(200, (await api.GetAsync($"/api/v1/phone/numbers/{numberId}")).Status);
        Assert.Equal(200, (await api.PostAsync($"/api/v1/identities/{second}/phone_number", new { phone_number_id = numberId })).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_identity_shows_both_channels_and_deleting_it_keeps_them(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        var handle = V1.Unique("ops");
        await api.CreateIdentityAsync(handle);
        var mailbox = await api.CreateMailboxAsync(V1.Unique("ops"), handle);
        var number = await api.BuyNumberAsync(handle: handle);

        var detail = (await api.GetAsync($"/api/v1/identities/{handle}")).Body!;
        Assert.Equal((string)mailbox["id"]!, (string)detail["mailbox"]!["id"]!);
        Assert.Equal((string)number["id"]!, (string)detail["phone_number"]!["id"]!);
        Assert.Equal("auto_reject", (string)detail["phone_number"]!["incoming_call_action"]!);

        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/identities/{handle}")).Status);
        Assert.Equal(200, (await api.GetAsync($"/api/v1/mail/mailboxes/{(string)mailbox["email_address"]!}")).Status);
        Assert.Equal(200, (await api.GetAsync($"/api/v1/phone/numbers/{(string)number["id"]!}")).Status);
        var heir = V1.Unique("heir");
        await api.CreateIdentityAsync(heir);
        Assert.Equal(200, (await api.PostAsync($"/api/v1/identities/{heir}/mailbox", new { mailbox_id = (string)mailbox["id"]! })).Status);
        Assert.Equal(200, (await api.PostAsync($"/api/v1/identities/{heir}/phone_number", new { phone_number_id = (string)number["id"]! })).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_organizations_identities_and_channels_are_not_found(string provider)
    {
        var server = (await servers.For(provider)).Server;
        var owner = await server.NewOrganizationAsync();
        var other = await server.NewOrganizationAsync();
        var handle = V1.Unique("private");
        await owner.CreateIdentityAsync(handle);
        var mailbox = await owner.CreateMailboxAsync(V1.Unique("private"));
        var number = await owner.BuyNumberAsync();
        var mine = V1.Unique("mine");
        await other.CreateIdentityAsync(mine);

        Assert.Equal(404, (await other.GetAsync($"/api/v1/identities/{handle}")).Status);
        Assert.Equal(404, (await other.PatchAsync($"/api/v1/identities/{handle}", new { status = "paused" })).Status);
        Assert.Equal(404, (await other.DeleteAsync($"/api/v1/identities/{handle}")).Status);
        Assert.Equal(404, (await other.PostAsync($"/api/v1/identities/{handle}/mailbox", new { mailbox_id = (string)mailbox["id"]! })).Status);
        Assert.Equal(404, (await other.PostAsync($"/api/v1/identities/{mine}/mailbox", new { mailbox_id = (string)mailbox["id"]! })).Status);
        Assert.Equal(404, (await other.PostAsync($"/api/v1/identities/{mine}/phone_number", new { phone_number_id = (string)number["id"]! })).Status);
        Assert.Equal(404, (await other.GetAsync($"/api/v1/mail/mailboxes/{(string)mailbox["email_address"]!}")).Status);
        Assert.Equal(404, (await other.DeleteAsync($"/api/v1/mail/mailboxes/{(string)mailbox["email_address"]!}")).Status);
        Assert.Equal(404, (await other.GetAsync($"/api/v1/phone/numbers/{(string)number["id"]!}")).Status);
        Assert.Equal(404, (await other.DeleteAsync($"/api/v1/phone/numbers/{(string)number["id"]!}")).Status);
        Assert.Equal(404, (await other.PostAsync($"/api/v1/phone/numbers/{(string)number["id"]!}/messages", new { to = "+14155550100", text = "hi" })).Status);
        Assert.DoesNotContain((await other.GetAsync("/api/v1/identities")).Body!.AsArray(), i => (string)i!["agent_handle"]! == handle);
        Assert.Empty((await other.GetAsync("/api/v1/phone/numbers")).Body!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Two_identities_racing_for_one_channel_exactly_one_wins(string provider)
    {
        var api = await (await servers.For(provider)).Server.NewOrganizationAsync();
        var number = await api.BuyNumberAsync();
        for (var round = 0; round < 8; round++)
        {
            var (a, b) = (V1.Unique("racer-a"), V1.Unique("racer-b"));
            await api.CreateIdentityAsync(a);
            await api.CreateIdentityAsync(b);
            var mailboxId = (string)(await api.CreateMailboxAsync(V1.Unique("contested")))["id"]!;
            var mail = await Task.WhenAll(
                api.PostAsync($"/api/v1/identities/{a}/mailbox", new { mailbox_id = mailboxId }),
                api.PostAsync($"/api/v1/identities/{b}/mailbox", new { mailbox_id = mailboxId }));
            Assert.Equal([200, 409], mail.Select(r => r.Status).Order());

            var phone = await Task.WhenAll(
                api.PostAsync($"/api/v1/identities/{a}/phone_number", new { phone_number_id = (string)number["id"]! }),
                api.PostAsync($"/api/v1/identities/{b}/phone_number", new { phone_number_id = (string)number["id"]! }));
            Assert.Equal([200, 409], phone.Select(r => r.Status).Order());
            // Unlinked again by whoever won, the number is free for the next round.
            foreach (var racer in new[] { a, b }) Assert.Equal(204, (await api.DeleteAsync($"/api/v1/identities/{racer}/phone_number")).Status);
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Keys_are_taken_as_bearer_x_api_key_or_x_service_token_and_v0_is_unchanged(string provider)
    {
        var server = (await servers.For(provider)).Server;
        var api = await server.NewOrganizationAsync();
        using var anonymous = server.Client();

        foreach (var header in new[] { "X-API-Key", "X-Service-Token" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/identities");
            request.Headers.Add(header, api.Token);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(request)).StatusCode);
            using var v0 = new HttpRequestMessage(HttpMethod.Get, "/api/v0/inboxes");
            v0.Headers.Add(header, api.Token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(v0)).StatusCode);
        }
        var none = await anonymous.GetAsync("/api/v1/identities");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.NotNull(JsonNode.Parse(await none.Content.ReadAsStringAsync())!["detail"]);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/identities");
        wrong.Headers.Add("X-API-Key", "not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        var noRoute = await api.GetAsync("/api/v1/nothing-here");
        Assert.Equal(404, noRoute.Status);
        Assert.Equal("Not Found", (string)noRoute.Body!["detail"]!);
    }
}

using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;
using Mailroom.Server.Tests.Infrastructure;
using static Mailroom.Server.Tests.Api.V1.V1TestKit;

namespace Mailroom.Server.Tests.Api.V1;

/// <summary>Drafts over HTTP: submit, announce, edit, approve (the reply reaches the customer in its thread), reject, the stale rule.</summary>
public sealed class DraftApiTests(V1Servers servers) : IClassFixture<V1Servers>
{
    public static TheoryData<string> Providers() => V1Servers.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_submitted_draft_is_announced_and_approving_it_sends_the_reply_into_the_customers_thread(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var c = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings("ops")));

        var draft = await DraftAsync(c);
        var draftId = (string)draft["id"]!;
        Assert.Equal("pending", (string)draft["status"]!);
        Assert.False((bool)draft["stale_warning"]!);
        Assert.Equal(1, (int)draft["version"]!);
        Assert.Equal("Re: Question about my order", (string)draft["subject"]!);
        Assert.Equal([c.CustomerAddress], draft["to"]!.AsArray().Select(n => (string)n!));
        var card = Assert.Single(servers.Channel.CardsFor(draftId));
        Assert.Equal("Your parcel left our warehouse today.", card.Text);
        Assert.Equal("The customer asked for the parcel status.", card.Rationale);
        Assert.Contains(c.IdentityAddress, card.From);
        Assert.StartsWith(server.Address.ToString().TrimEnd('/') + "/approvals/", card.ApproveUrl);
        Assert.Equal("recording", (string)draft["notifications"]![0]!["type"]!);
        Assert.Equal("draft_pending", (string)(await api.GetAsync($"/v1/threads/{c.ThreadId}")).Body!["status"]!);

        var (status, approved) = await api.PostAsync($"/v1/drafts/{draftId}/approve", null);
        Assert.Equal(200, status);
        Assert.Equal("sent", (string)approved!["status"]!);
        Assert.StartsWith("api_key:", (string)approved["decided_by"]!);
        var closed = Assert.Single(servers.Channel.Closed, x => x.Notice.Reference == servers.Channel.Announced.Single(a => a.Card.DraftId == draftId).Reference);
        Assert.Equal("approved", closed.Outcome.State);

        // The customer gets the reply in its own thread, answering its message.
        var customerThread = await EventuallyAsync(async () =>
        {
            var threads = (await api.GetAsync($"/api/v0/inboxes/{c.CustomerInboxId}/threads")).Body!["data"]!.AsArray();
            var thread = threads.FirstOrDefault(t => (int)t!["message_count"]! == 2);
            return thread is null ? null : (await api.GetAsync($"/api/v0/inboxes/{c.CustomerInboxId}/threads/{(string)thread["thread_id"]!}")).Body;
        });
        var messages = customerThread["messages"]!.AsArray();
        var original = messages.First(m => (string)m!["direction"]! == "outbound")!;
        var reply = messages.First(m => (string)m!["direction"]! == "inbound")!;
        Assert.Equal("Your parcel left our warehouse today.", ((string)reply["text"]!).Trim());
        var originalId = (string)original["headers"]!["Message-ID"]!;
        Assert.Equal(originalId.Trim('<', '>'), (string)reply["in_reply_to"]!);
        Assert.Contains(originalId.Trim('<', '>'), reply["references"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("waiting", (string)(await api.GetAsync($"/v1/threads/{c.ThreadId}")).Body!["status"]!);

        // Decided is decided: a second approval, or a rejection, is a conflict.
        var (again, error) = await api.PostAsync($"/v1/drafts/{draftId}/approve", null);
        Assert.Equal(409, again);
        Assert.Equal("draft_not_pending", (string)error!["error"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_decision_through_a_channel_closes_every_card_and_the_api_sees_it(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var c = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings("room-a")));
        var draftId = (string)(await DraftAsync(c))["id"]!;
        await api.PostAsync($"/v1/drafts/{draftId}/notify", null);
        Assert.Equal(2, servers.Channel.CardsFor(draftId).Count);

        var reviews = server.Services.GetRequiredService<IDraftReviews>();
        var outcome = await reviews.RejectAsync(api.OrgId, draftId, "telegram:@ana", "tone is off", CancellationToken.None);
        Assert.Equal("rejected", outcome.State);
        Assert.Equal("telegram:@ana", outcome.DecidedBy);
        var references = servers.Channel.Announced.Where(a => a.Card.DraftId == draftId).Select(a => a.Reference).ToHashSet();
        Assert.Equal(2, servers.Channel.Closed.Count(x => references.Contains(x.Notice.Reference) && x.Outcome.State == "rejected"));

        var draft = (await api.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.Equal("rejected", (string)draft["status"]!);
        Assert.Equal("tone is off", (string)draft["reject_reason"]!);
        Assert.Equal("telegram:@ana", (string)draft["decided_by"]!);
        var (status, error) = await api.PostAsync($"/v1/drafts/{draftId}/approve", null);
        Assert.Equal(409, status);
        Assert.Equal("draft_not_pending", (string)error!["error"]!);
        await Assert.ThrowsAnyAsync<Core.Common.MailroomException>(() => reviews.ApproveAsync(api.OrgId, draftId, "slack:U1", CancellationToken.None));
    }
}

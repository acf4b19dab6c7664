using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using static Mailroom.Server.Tests.Api.V1.V1TestKit;

namespace Mailroom.Server.Tests.Api.V1;

/// <summary>The rules around drafts: staleness, versions, metadata, cold sending, auto-approval, scopes, events, thread views.</summary>
public sealed class DraftRulesTests(V1Servers servers) : IClassFixture<V1Servers>
{
    public static TheoryData<string> Providers() => V1Servers.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Newer_inbound_mail_makes_a_draft_stale_and_a_stale_draft_is_never_sent(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var c = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings()));
        var draftId = (string)(await DraftAsync(c))["id"]!;

        await WriteAgainAsync(c);
        var stale = await EventuallyAsync(async () =>
        {
            var d = (await api.GetAsync($"/v1/drafts/{draftId}")).Body!;
            return (string)d["status"]! == "stale" ? d : null;
        });
        Assert.Equal("stale", (string)stale["status"]!);
        foreach (var action in new[] { "approve", "send" })
        {
            var (status, error) = await api.PostAsync($"/v1/drafts/{draftId}/{action}", null);
            Assert.Equal(409, status);
            Assert.Equal("stale_draft", (string)error!["error"]!);
        }
        Assert.Equal(409, (await api.PatchAsync($"/v1/drafts/{draftId}", new { body_text = "new" })).Status);

        // Submitting against the old message still creates the draft, stale, with a warning; nothing is announced for it.
        var late = await DraftAsync(c, "Late answer.");
        Assert.True((bool)late["stale_warning"]!);
        Assert.Equal("stale", (string)late["status"]!);
        Assert.Empty(servers.Channel.CardsFor((string)late["id"]!));
        Assert.Equal(1, (int)(await api.GetAsync($"/v1/drafts?thread_id={c.ThreadId}&status=stale&limit=1")).Body!["limit"]!);
        Assert.Equal(2, (int)(await api.GetAsync($"/v1/drafts?thread_id={c.ThreadId}&status=stale")).Body!["total"]!);

        // A draft on the newest message is fine, and rejecting a stale draft closes it.
        var fresh = await DraftAsync(c, "Fresh answer.", new { based_on_message_id = (string?)null });
        Assert.False((bool)fresh["stale_warning"]!);
        Assert.Equal("pending", (string)fresh["status"]!);
        var (rejected, body) = await api.PostAsync($"/v1/drafts/{draftId}/reject", new { reason = "outdated" });
        Assert.Equal(200, rejected);
        Assert.Equal("rejected", (string)body!["status"]!);
        Assert.Equal("outdated", (string)body["reject_reason"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_edit_is_a_new_version_and_reannounced_metadata_is_capped_at_8_KB(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var c = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings()));
        var draft = await DraftAsync(c, more: new { metadata = new { ticket = 42, tags = new[] { "parcel" } } });
        var draftId = (string)draft["id"]!;
        Assert.Equal("""{"ticket":42,"tags":["parcel"]}""", draft["metadata"]!.ToJsonString());

        var (status, edited) = await api.PatchAsync($"/v1/drafts/{draftId}", new { body_text = "It arrives tomorrow.", cc = new[] { "boss@example.com" } });
        Assert.Equal(200, status);
        Assert.Equal(2, (int)edited!["version"]!);
        Assert.Equal("It arrives tomorrow.", (string)edited["body_text"]!);
        Assert.Equal("The customer asked for the parcel status.", (string)edited["rationale"]!);
        Assert.Equal(["boss@example.com"], edited["cc"]!.AsArray().Select(n => (string)n!));
        var cards = servers.Channel.CardsFor(draftId);
        Assert.Equal([1, 2], cards.Select(k => k.Version));
        Assert.Contains(servers.Channel.Closed, x => x.Outcome.State == "edited");

        var versions = (await api.GetAsync($"/v1/drafts/{draftId}/versions")).Body!["data"]!.AsArray();
        Assert.Equal([1, 2], versions.Select(v => (int)v!["version"]!));
        Assert.Equal("Your parcel left our warehouse today.", (string)versions[0]!["body_text"]!);
        Assert.Equal("It arrives tomorrow.", (string)versions[1]!["body_text"]!);
        Assert.StartsWith("api_key:", (string)versions[1]!["edited_by"]!);

        var big = new string('x', 8 * 1024);
        var (tooBig, error) = await api.PostAsync("/v1/drafts", new { identity_id = c.IdentityId, thread_id = c.ThreadId, body_text = "x", metadata = new { big } });
        Assert.Equal(422, tooBig);
        Assert.Equal("metadata: must be at most 8192 bytes of JSON", (string)error!["message"]!);
        Assert.Equal(422, (await api.PatchAsync($"/v1/drafts/{draftId}", new { metadata = new { big } })).Status);
        Assert.Equal(422, (await api.PostAsync("/v1/drafts", new { identity_id = c.IdentityId, thread_id = c.ThreadId, body_text = "x", metadata = new[] { 1 } })).Status);
        Assert.Equal(422, (await api.PostAsync("/v1/drafts", new { identity_id = c.IdentityId, thread_id = c.ThreadId })).Status);
        Assert.Equal(404, (await api.PostAsync("/v1/drafts", new { identity_id = c.IdentityId, thread_id = "thr_nope", body_text = "x" })).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Cold_drafts_need_can_send_cold_and_auto_approved_replies_go_out_without_a_card(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var replyOnly = await CreateIdentityAsync(api, RecordingChannelSettings());
        var (refused, error) = await api.PostAsync("/v1/drafts", new { identity_id = (string)replyOnly["id"]!, to = new[] { "someone@example.com" }, body_text = "Hello" });
        Assert.Equal(422, refused);
        Assert.Equal("invalid_request", (string)error!["error"]!);
        Assert.Contains("can_send_cold", (string)error["message"]!);

        var cold = await CreateIdentityAsync(api, RecordingChannelSettings(), canSendCold: true);
        var (created, coldDraft) = await api.PostAsync("/v1/drafts", new { identity_id = (string)cold["id"]!, to = new[] { "someone@example.com" }, subject = "Hi", body_text = "Hello" });
        Assert.Equal(201, created);
        Assert.Equal("pending", (string)coldDraft!["status"]!);
        Assert.Null(coldDraft["thread_id"]);

        var auto = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings(), autoApprove: true));
        var approved = await DraftAsync(auto, "Auto reply.");
        Assert.Equal("sent", (string)approved["status"]!);
        Assert.Equal("auto_approve_replies", (string)approved["decided_by"]!);
        Assert.NotNull(approved["sent_message_id"]);
        Assert.Empty(servers.Channel.CardsFor((string)approved["id"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_key_without_approve_drafts_cannot_approve_and_scoped_keys_stay_in_their_lane(string provider)
    {
        var server = await servers.For(provider);
        var admin = await server.NewOrganizationAsync();
        var (created, agentKey) = await admin.PostAsync("/api/v0/api-keys", new { name = "agent", scopes = new[] { "read:threads", "write:drafts" } });
        Assert.Equal(201, created);
        Assert.Equal(["read:threads", "write:drafts"], agentKey!["scopes"]!.AsArray().Select(n => (string)n!));
        var listed = (await admin.GetAsync("/api/v0/api-keys")).Body!["data"]!.AsArray();
        Assert.Contains(listed, k => k!["scopes"] is JsonArray);
        Assert.Contains(listed, k => !k!.AsObject().ContainsKey("scopes"));
        Assert.Equal(400, (await admin.PostAsync("/api/v0/api-keys", new { name = "x", scopes = new[] { "launch:rockets" } })).Status);
        var agent = new ApiClient(server.Client((string)agentKey["key"]!), admin.OrgId, (string)agentKey["key"]!);
        var approverKey = (await admin.PostAsync("/api/v0/api-keys", new { name = "person", scopes = new[] { "approve:drafts" } })).Body!;
        var approver = new ApiClient(server.Client((string)approverKey["key"]!), admin.OrgId, (string)approverKey["key"]!);

        var c = await ConversationAsync(admin, await CreateIdentityAsync(admin, RecordingChannelSettings()));
        var draftId = (string)(await DraftAsync(c with { Api = agent }))["id"]!;
        foreach (var action in new[] { "approve", "reject", "send" })
        {
            var (status, error) = await agent.PostAsync($"/v1/drafts/{draftId}/{action}", null);
            Assert.Equal(403, status);
            Assert.Equal("insufficient_scope", (string)error!["error"]!);
            Assert.Equal("api_key: this API key lacks the scope approve:drafts", (string)error["message"]!);
        }
        Assert.Equal(403, (await agent.PostAsync("/v1/identities", new { domain_id = "dom_platform", local_part = "x", display_name = "x" })).Status);
        Assert.Equal(403, (await agent.PostAsync("/api/v0/api-keys", new { name = "escalate" })).Status);
        Assert.Equal(403, (await agent.PostAsync($"/api/v0/inboxes/{c.IdentityId}/messages/send", new { to = "x@example.com", text = "bypass" })).Status);
        Assert.Equal(200, (await agent.GetAsync($"/api/v0/inboxes/{c.IdentityId}/threads")).Status);
        Assert.Equal(403, (await approver.GetAsync("/v1/threads")).Status);
        Assert.Equal(403, (await approver.PostAsync("/v1/drafts", new { identity_id = c.IdentityId, thread_id = c.ThreadId, body_text = "x" })).Status);

        var (approved, body) = await approver.PostAsync($"/v1/drafts/{draftId}/approve", null);
        Assert.Equal(200, approved);
        Assert.Equal("sent", (string)body!["status"]!);
        Assert.Equal("api_key:" + (string)approverKey["key_id"]!, (string)body["decided_by"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Draft_events_reach_webhooks_and_threads_filter_by_review_and_status(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        await api.PostAsync("/api/v0/webhooks", new
        {
            url = receiver.Url, event_types = new[] { "draft.created", "draft.approved", "draft.rejected", "draft.sent", "draft.stale" },
        });
        var identity = await CreateIdentityAsync(api, RecordingChannelSettings());
        await api.PatchAsync($"/v1/identities/{(string)identity["id"]!}", new { thread_history_depth = 1 });
        var c = await ConversationAsync(api, identity);
        var quiet = await ConversationAsync(api, identity, "Another question");
        var first = (string)(await DraftAsync(c))["id"]!;

        var pendingThreads = (await api.GetAsync($"/v1/threads?identity_id={c.IdentityId}&needs_review=true")).Body!;
        Assert.Equal([c.ThreadId], pendingThreads["data"]!.AsArray().Select(t => (string)t!["id"]!));
        Assert.True((bool)pendingThreads["data"]![0]!["needs_review"]!);
        Assert.Equal([quiet.ThreadId], (await api.GetAsync($"/v1/threads?identity_id={c.IdentityId}&needs_review=false")).Body!["data"]!.AsArray()
            .Select(t => (string)t!["id"]!));
        Assert.Equal([quiet.ThreadId], (await api.GetAsync("/v1/threads?status=open")).Body!["data"]!.AsArray().Select(t => (string)t!["id"]!));
        Assert.Equal(1, (int)(await api.GetAsync("/v1/threads?status=draft_pending")).Body!["total"]!);
        Assert.Equal(422, (await api.GetAsync("/v1/threads?status=snoozed")).Status);
        Assert.Equal(422, (await api.GetAsync("/v1/threads?needs_review=maybe")).Status);

        await api.PostAsync($"/v1/drafts/{first}/approve", null);
        var second = (string)(await DraftAsync(c, "Second thought."))["id"]!;
        await api.PostAsync($"/v1/drafts/{second}/reject", null);
        var third = (string)(await DraftAsync(c, "Third."))["id"]!;
        await WriteAgainAsync(c);

        var events = (await receiver.WaitForAsync(7)).Select(r => JsonNode.Parse(r.Body)!).ToList();
        string[] Of(string draftId) => events.Where(e => (string)e["draft"]!["draft_id"]! == draftId).Select(e => (string)e["event_type"]!).Order().ToArray();
        Assert.Equal(["draft.approved", "draft.created", "draft.sent"], Of(first));
        Assert.Equal(["draft.created", "draft.rejected"], Of(second));
        Assert.Equal(["draft.created", "draft.stale"], Of(third));
        var sent = events.Single(e => (string)e["event_type"]! == "draft.sent");
        Assert.Equal(c.IdentityId, (string)sent["inbox_id"]!);
        Assert.Equal("sent", (string)sent["draft"]!["status"]!);

        // thread_history_depth 1: only the newest message of the thread.
        var history = (await api.GetAsync($"/v1/threads/{c.ThreadId}")).Body!;
        Assert.True((int)history["message_count"]! >= 3);
        Assert.Equal("Any news?", ((string)Assert.Single(history["messages"]!.AsArray())!["body_text"]!).Trim());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_disabled_identity_cannot_send_and_other_workspaces_drafts_are_404(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var c = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings()));
        var draftId = (string)(await DraftAsync(c))["id"]!;
        var other = await server.NewOrganizationAsync("Other");
        foreach (var (method, path) in new[] { (HttpMethod.Get, ""), (HttpMethod.Get, "/versions"), (HttpMethod.Post, "/approve"), (HttpMethod.Post, "/reject"),
                     (HttpMethod.Post, "/send"), (HttpMethod.Post, "/notify"), (HttpMethod.Patch, "") })
        {
            var (status, error) = await other.SendAsync(method, $"/v1/drafts/{draftId}{path}", method == HttpMethod.Patch ? new { body_text = "x" } : null);
            Assert.True(status == 404, $"{method} {path}: {status}");
            Assert.Equal("not_found", (string)error!["error"]!);
        }
        Assert.Equal(404, (await other.GetAsync($"/v1/threads/{c.ThreadId}")).Status);
        Assert.Equal(0, (int)(await other.GetAsync("/v1/drafts")).Body!["total"]!);

        await api.PatchAsync($"/v1/identities/{c.IdentityId}", new { status = "disabled" });
        var (refused, body) = await api.PostAsync($"/v1/drafts/{draftId}/approve", null);
        Assert.Equal(422, refused);
        Assert.Equal("identity_not_active", (string)body!["error"]!);
        Assert.Equal("pending", (string)(await api.GetAsync($"/v1/drafts/{draftId}")).Body!["status"]!);
        Assert.Equal(422, (await api.PostAsync("/v1/drafts", new { identity_id = c.IdentityId, thread_id = c.ThreadId, body_text = "x" })).Status);
        var (testStatus, testError) = await api.PostAsync($"/v1/identities/{c.IdentityId}/test-email", new { recipient_email = "me@example.com" });
        Assert.Equal(422, testStatus);
        Assert.Equal("identity_not_active", (string)testError!["error"]!);
    }
}

using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using static Mailroom.Server.Tests.Api.V1.V1TestKit;

namespace Mailroom.Server.Tests.Api.V1;

/// <summary>/v1/identities and /v1/domains over HTTP: the spec's codes and bodies, the v0 inbox behind each identity, masked secrets.</summary>
public sealed class IdentityApiTests(V1Servers servers) : IClassFixture<V1Servers>
{
    public static TheoryData<string> Providers() => V1Servers.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task An_identity_is_a_v0_inbox_with_a_derived_address_and_defaults_as_the_spec_gives(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var localPart = Unique("assistant");
        var (status, identity) = await api.PostAsync("/v1/identities", new
        {
            domain_id = "dom_platform", local_part = localPart, display_name = "Mia (AI Assistant)", signature_text = "— Mia",
        });
        Assert.Equal(201, status);
        Assert.StartsWith("inb_", (string)identity!["id"]!);
        Assert.Equal(api.OrgId, (string)identity["workspace_id"]!);
        Assert.Equal("dom_platform", (string)identity["domain_id"]!);
        Assert.Equal($"{localPart}@mailroom.local", (string)identity["email_address"]!);
        Assert.Equal(10, (int)identity["thread_history_depth"]!);
        Assert.Equal("active", (string)identity["status"]!);
        Assert.False((bool)identity["can_send_cold"]!);
        Assert.False((bool)identity["auto_approve_replies"]!);
        Assert.Null(identity["approval_channel"]);
        Assert.True(identity.AsObject().ContainsKey("approval_channel"));

        var inbox = (await api.GetAsync($"/api/v0/inboxes/{(string)identity["id"]!}")).Body!;
        Assert.Equal((string)identity["email_address"]!, (string)inbox["email_address"]!);
        Assert.Equal("Mia (AI Assistant)", (string)inbox["display_name"]!);
        Assert.Equal(identity.ToJsonString(), (await api.GetAsync($"/v1/identities/{(string)identity["id"]!}")).Body!.ToJsonString());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Create_refuses_bad_local_parts_unverified_domains_taken_addresses_and_the_cap(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        async Task Expect(int status, string error, string messageStart, object body)
        {
            var (got, answer) = await api.PostAsync("/v1/identities", body);
            Assert.True(got == status, $"{got} {ApiClient.Json(answer)}");
            Assert.Equal(error, (string)answer!["error"]!);
            Assert.StartsWith(messageStart, (string)answer["message"]!);
            Assert.Equal(2, answer.AsObject().Count);
        }

        await Expect(422, "invalid_request", "local_part: may contain only lowercase", new { domain_id = "dom_platform", local_part = "Mia", display_name = "x" });
        await Expect(422, "invalid_request", "local_part: may contain only lowercase", new { domain_id = "dom_platform", local_part = "mi a", display_name = "x" });
        await Expect(422, "invalid_request", "local_part: is required", new { domain_id = "dom_platform", display_name = "x" });
        await Expect(422, "invalid_request", "display_name: is required", new { domain_id = "dom_platform", local_part = "x" });
        await Expect(422, "invalid_request", "thread_history_depth: must be between 1 and 20",
            new { domain_id = "dom_platform", local_part = "deep", display_name = "x", thread_history_depth = 21 });
        await Expect(422, "invalid_request", "email_address: is derived",
            new { domain_id = "dom_platform", local_part = "x", display_name = "x", email_address = "x@mailroom.local" });
        await Expect(422, "invalid_request", "approval_channel.type: must be one of",
            new { domain_id = "dom_platform", local_part = "x", display_name = "x", approval_channel = new { type = "pigeon", config = new { } } });
        await Expect(422, "invalid_request", "approval_channel.config.token: was refused",
            new { domain_id = "dom_platform", local_part = "x", display_name = "x", approval_channel = new { type = "recording", config = new { token = "bad" } } });
        await Expect(422, "invalid_request", "approval_channel.config.to: must be an email address",
            new { domain_id = "dom_platform", local_part = "x", display_name = "x", approval_channel = new { type = "email", config = new { to = "nobody" } } });

        // A domain of the organization that is not verified yet, named by its id.
        var domainName = Unique("unverified") + ".example";
        await api.PostAsync("/api/v0/domains", new { domain = domainName });
        var domains = (await api.GetAsync("/v1/domains")).Body!;
        Assert.Equal(2, (int)domains["total"]!);
        Assert.Equal(new JsonObject { ["id"] = "dom_platform", ["name"] = "mailroom.local", ["verified"] = true, ["created_at"] = null }.ToJsonString(),
            domains["data"]![0]!.ToJsonString());
        var pending = domains["data"]![1]!;
        Assert.Equal(domainName, (string)pending["name"]!);
        Assert.False((bool)pending["verified"]!);
        await Expect(422, "invalid_request", $"domain_id: {domainName} is not verified",
            new { domain_id = (string)pending["id"]!, local_part = "x", display_name = "x" });
        await Expect(422, "invalid_request", "domain_id: dom_nope is not a domain of this workspace", new { domain_id = "dom_nope", local_part = "x", display_name = "x" });

        var first = await CreateIdentityAsync(api);
        await Expect(409, "invalid_request", "local_part: " + (string)first["email_address"]! + " is already in use",
            new { domain_id = "dom_platform", local_part = ((string)first["email_address"]!).Split('@')[0], display_name = "x" });
        // The cap is 4 in these tests (Mailroom:Limits:IdentitiesPerOrganization); v0 inboxes count, being the same rows.
        await api.CreateInboxAsync(Unique("v0"));
        await CreateIdentityAsync(api);
        await CreateIdentityAsync(api);
        await Expect(402, "plan_limit_reached", "identities: the workspace already has its limit of 4 identities",
            new { domain_id = "dom_platform", local_part = Unique("over"), display_name = "x" });
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task List_filters_and_pages_patch_changes_only_what_is_given_and_secrets_stay_masked(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var a = await CreateIdentityAsync(api, RecordingChannelSettings());
        var b = await CreateIdentityAsync(api);
        var channel = a["approval_channel"]!;
        Assert.Equal("recording", (string)channel["type"]!);
        Assert.Equal("••••9876", (string)channel["config"]!["token"]!);
        Assert.Equal("room-1", (string)channel["config"]!["room"]!);
        Assert.DoesNotContain("tok-ABCDEFGHIJKLMNOP", (await api.GetAsync("/v1/identities")).Body!.ToJsonString());

        var (status, patched) = await api.PatchAsync($"/v1/identities/{(string)b["id"]!}", new { display_name = "Mia from Acme", status = "disabled" });
        Assert.Equal(200, status);
        Assert.Equal("Mia from Acme", (string)patched!["display_name"]!);
        Assert.Equal("disabled", (string)patched["status"]!);
        Assert.Equal((string)b["email_address"]!, (string)patched["email_address"]!);
        Assert.Equal((int)b["thread_history_depth"]!, (int)patched["thread_history_depth"]!);
        Assert.Equal(422, (await api.PatchAsync($"/v1/identities/{(string)b["id"]!}", new { local_part = "new" })).Status);
        Assert.Equal(422, (await api.PatchAsync($"/v1/identities/{(string)b["id"]!}", new { status = "paused" })).Status);

        var active = (await api.GetAsync("/v1/identities?status=active")).Body!;
        Assert.Equal(1, (int)active["total"]!);
        Assert.Equal((string)a["id"]!, (string)active["data"]![0]!["id"]!);
        var page = (await api.GetAsync("/v1/identities?limit=1&offset=1")).Body!;
        Assert.Equal(2, (int)page["total"]!);
        Assert.Equal(1, (int)page["limit"]!);
        Assert.Equal(1, (int)page["offset"]!);
        Assert.Equal((string)a["id"]!, (string)page["data"]![0]!["id"]!);
        Assert.Equal(2, (int)(await api.GetAsync("/v1/identities?domain_id=dom_platform")).Body!["total"]!);
        Assert.Equal(0, (int)(await api.GetAsync("/v1/identities?domain_id=dom_other")).Body!["total"]!);
        Assert.Equal(422, (await api.GetAsync("/v1/identities?limit=101")).Status);

        // A new channel object replaces the old one, secrets and all; null removes it.
        var (_, rotated) = await api.PatchAsync($"/v1/identities/{(string)a["id"]!}", new
        {
            approval_channel = new { type = "recording", config = new { token = "second-token-000000-4321" } },
            secondary_approval_channel = new { type = "email", config = new { to = "approvers@example.com" } }, escalation_delay_minutes = 15,
        });
        Assert.Equal("••••4321", (string)rotated!["approval_channel"]!["config"]!["token"]!);
        Assert.Null(rotated["approval_channel"]!["config"]!["room"]);
        Assert.Equal("approvers@example.com", (string)rotated["secondary_approval_channel"]!["config"]!["to"]!);
        Assert.Equal(15, (int)rotated["escalation_delay_minutes"]!);
        var (_, cleared) = await api.PatchAsync($"/v1/identities/{(string)a["id"]!}", new { approval_channel = (object?)null });
        Assert.Null(cleared!["approval_channel"]);
        Assert.NotNull(cleared["secondary_approval_channel"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_workspaces_identity_is_a_404_and_unknown_routes_answer_in_this_dialects_shape(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var other = await server.NewOrganizationAsync("Other");
        var theirs = (string)(await CreateIdentityAsync(other))["id"]!;
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Get, $"/v1/identities/{theirs}", null), (HttpMethod.Patch, $"/v1/identities/{theirs}", new { display_name = "x" }),
                     (HttpMethod.Delete, $"/v1/identities/{theirs}", null), (HttpMethod.Post, $"/v1/identities/{theirs}/test-email", new { recipient_email = "a@b.example" }),
                 })
        {
            var (status, error) = await api.SendAsync(method, path, body);
            Assert.Equal(404, status);
            Assert.Equal("""{"error":"not_found","message":"identity not found"}""", error!.ToJsonString());
        }
        Assert.Equal("""{"error":"not_found","message":"no route /v1/nothing"}""", (await api.GetAsync("/v1/nothing")).Body!.ToJsonString());
        var anonymous = new ApiClient(server.Client(), api.OrgId, "");
        var (unauthorized, refusal) = await anonymous.GetAsync("/v1/identities");
        Assert.Equal(401, unauthorized);
        Assert.Equal("unauthorized", (string)refusal!["error"]!);
        Assert.Equal(200, (await other.GetAsync($"/v1/identities/{theirs}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Delete_removes_the_identity_and_keeps_its_threads_messages_and_drafts(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var identity = await CreateIdentityAsync(api, RecordingChannelSettings());
        var c = await ConversationAsync(api, identity);
        var draftId = (string)(await DraftAsync(c))["id"]!;

        Assert.Equal(204, (await api.DeleteAsync($"/v1/identities/{c.IdentityId}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/v1/identities/{c.IdentityId}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/v0/inboxes/{c.IdentityId}")).Status);
        var thread = (await api.GetAsync($"/v1/threads/{c.ThreadId}")).Body!;
        Assert.Equal("closed", (string)thread["status"]!);
        Assert.Null(thread["identity_id"]);
        Assert.Equal(c.IdentityAddress, (string)thread["email_address"]!);
        Assert.Equal("Where is my parcel?", ((string)thread["messages"]![0]!["body_text"]!).Trim());
        var draft = (await api.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.Null(draft["identity_id"]);
        var (status, error) = await api.PostAsync($"/v1/drafts/{draftId}/approve", null);
        Assert.Equal(422, status);
        Assert.Equal("identity_not_active", (string)error!["error"]!);
        Assert.Equal(404, (await api.DeleteAsync($"/v1/identities/{c.IdentityId}")).Status);
    }
}

using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Mcp;

/// <summary>Drafts and identities through MCP with the SDK's client, on both databases: submit, edit, approve, reject, send, scopes.</summary>
public sealed class McpDraftToolTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private static string Unique(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<(JsonNode Agent, JsonNode Customer)> InboxesAsync(McpTestClient mcp) => (
        (await mcp.OkAsync("create_inbox", new { username = Unique("agent") }))["inbox"]!,
        (await mcp.OkAsync("create_inbox", new { username = Unique("customer") }))["inbox"]!);

    [Theory, MemberData(nameof(Providers))]
    public async Task A_draft_is_submitted_edited_approved_and_arrives_and_another_is_rejected(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        await using var mcp = await McpTestClient.ConnectAsync(server, api.Token);
        var (agent, customer) = await InboxesAsync(mcp);
        var (agentId, customerId) = ((string)agent["inbox_id"]!, (string)customer["inbox_id"]!);

        var submitted = await mcp.OkAsync("submit_draft", new
        {
            identity_id = agentId, to = new[] { (string)customer["email_address"]! }, subject = "Your order", body_text = "It ships Monday.",
            rationale = "The customer asked when",
        });
        var draft = submitted["draft"]!;
        Assert.Equal("pending", (string)draft["status"]!);
        Assert.False((bool)submitted["stale_warning"]!);
        var draftId = (string)draft["draft_id"]!;

        var edited = await mcp.OkAsync("update_draft", new { draft_id = draftId, body_text = "It ships Tuesday." });
        Assert.Equal(2, (int)edited["version"]!);
        Assert.Equal("Your order", (string)edited["subject"]!);
        Assert.Equal([draftId], (await mcp.OkAsync("list_drafts", new { identity_id = agentId, status = "pending" }))["drafts"]!.AsArray()
            .Select(d => (string)d!["draft_id"]!));

        var approved = await mcp.OkAsync("approve_draft", new { draft_id = draftId });
        Assert.Equal("sent", (string)approved["status"]!);
        Assert.StartsWith("api_key:", (string)approved["decided_by"]!);
        var arrived = await mcp.WaitForAsync("search_messages", new { inbox_id = customerId, subject = "Your order" }, b => b["messages"]!.AsArray().Count == 1);
        var message = await mcp.OkAsync("get_message", new { inbox_id = customerId, message_id = (string)arrived["messages"]![0]!["message_id"]! });
        Assert.Contains("It ships Tuesday.", (string)message["text"]!);
        Assert.Contains("draft", await mcp.ErrorAsync("update_draft", new { draft_id = draftId, body_text = "too late" }));

        var second = (string)(await mcp.OkAsync("submit_draft", new { identity_id = agentId, to = new[] { "someone@example.com" }, body_text = "Hi" }))["draft"]!["draft_id"]!;
        var rejected = await mcp.OkAsync("reject_draft", new { draft_id = second, reason = "not now" });
        Assert.Equal("rejected", (string)rejected["status"]!);
        Assert.Equal("not now", (string)rejected["reject_reason"]!);
        Assert.Equal("rejected", (string)(await mcp.OkAsync("get_draft", new { draft_id = second }))["status"]!);

        // A reply drafted on a thread is approved by the identity's auto-approve-replies and sent at once.
        var thread = (string)arrived["messages"]![0]!["thread_id"]!;
        var reply = (await mcp.OkAsync("submit_draft", new { identity_id = customerId, thread_id = thread, body_text = "Thanks!" }))["draft"]!;
        Assert.Equal("sent", (string)reply["status"]!);
        Assert.Equal("Re: Your order", (string)reply["subject"]!);

        var identities = await mcp.OkAsync("list_identities");
        Assert.Equal(2, (int)identities["total"]!);
        var identity = await mcp.OkAsync("get_identity", new { identity_id = agentId });
        Assert.Equal((string)agent["email_address"]!, (string)identity["email_address"]!);
        Assert.True((bool)identity["auto_approve_replies"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Only_a_key_that_may_approve_sees_and_uses_approve_reject_and_send(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        await using var owner = await McpTestClient.ConnectAsync(server, api.Token);
        var (agent, _) = await InboxesAsync(owner);
        var agentId = (string)agent["inbox_id"]!;

        await using var writer = await McpTestClient.ConnectAsync(server, await McpTestClient.KeyAsync(server, api.OrgId, "read:threads write:drafts"));
        var names = (await writer.ToolsAsync()).Select(t => t.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "submit_draft", "list_drafts", "get_draft", "update_draft", "list_identities", "get_identity" }, names);
        foreach (var hidden in new[] { "approve_draft", "reject_draft", "send_draft", "send_message" }) Assert.DoesNotContain(hidden, names);
        var draftId = (string)(await writer.OkAsync("submit_draft", new { identity_id = agentId, to = new[] { "x@example.com" }, body_text = "Hello" }))["draft"]!["draft_id"]!;
        Assert.Contains("'approve:drafts'", await writer.ErrorAsync("approve_draft", new { draft_id = draftId }));
        Assert.Contains("'approve:drafts'", await writer.ErrorAsync("send_draft", new { draft_id = draftId }));
        Assert.Equal("pending", (string)(await writer.OkAsync("get_draft", new { draft_id = draftId }))["status"]!);

        await using var approver = await McpTestClient.ConnectAsync(server, await McpTestClient.KeyAsync(server, api.OrgId, "read:threads approve:drafts"));
        var approverTools = (await approver.ToolsAsync()).Select(t => t.Name).ToHashSet();
        Assert.Contains("approve_draft", approverTools);
        Assert.DoesNotContain("submit_draft", approverTools);
        Assert.Equal("sent", (string)(await approver.OkAsync("send_draft", new { draft_id = draftId }))["status"]!);

        // Another organization's draft and identity are not found.
        await using var strangerMcp = await McpTestClient.ConnectAsync(server, (await server.NewOrganizationAsync()).Token);
        foreach (var (tool, args) in new (string, object)[]
                 {
                     ("get_draft", new { draft_id = draftId }), ("update_draft", new { draft_id = draftId, body_text = "x" }),
                     ("approve_draft", new { draft_id = draftId }), ("reject_draft", new { draft_id = draftId }), ("send_draft", new { draft_id = draftId }),
                     ("get_identity", new { identity_id = agentId }), ("submit_draft", new { identity_id = agentId, to = new[] { "x@example.com" }, body_text = "x" }),
                 })
            Assert.StartsWith("Not found", await strangerMcp.ErrorAsync(tool, args));
        Assert.Contains("Invalid argument 'body_text'", await owner.ErrorAsync("submit_draft", new { identity_id = agentId, to = new[] { "x@example.com" } }));
        Assert.Contains("Invalid argument 'status'", await owner.ErrorAsync("list_drafts", new { status = "maybe" }));
    }
}

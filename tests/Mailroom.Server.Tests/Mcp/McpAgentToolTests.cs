using Mailroom.Server.Tests.Api.AgentChannels;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Mcp;

/// <summary>Agents and SMS through MCP with the SDK's client, against the fake carrier, on both databases.</summary>
public sealed class McpAgentToolTests(AgentChannelServers servers) : IClassFixture<AgentChannelServers>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Agents_are_listed_and_read_and_sms_are_sent_and_listed_on_their_number(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var handle = V1.Unique("concierge");
        await api.CreateIdentityAsync(handle);
        var mailbox = await api.CreateMailboxAsync(V1.Unique("desk"));
        Assert.Equal(200, (await api.PostAsync($"/api/v1/identities/{handle}/mailbox", new { mailbox_id = (string)mailbox["id"]! })).Status);
        var number = await api.BuyNumberAsync();
        var e164 = (string)number["number"]!;
        Assert.Equal(200, (await api.PostAsync($"/api/v1/identities/{handle}/phone_number", new { phone_number_id = (string)number["id"]! })).Status);
        // MCP speaks the core's prefixed ids; the /api/v1 dialect shows the same 128 bits as a UUID.
        var numberId = Mailroom.Core.Common.Ids.FromUuid(Mailroom.Core.Common.Ids.PhoneNumber, Guid.Parse((string)number["id"]!));
        await using var mcp = await McpTestClient.ConnectAsync(server, api.Token);

        var agents = await mcp.OkAsync("list_agents");
        Assert.Equal([handle], agents["agents"]!.AsArray().Select(a => (string)a!["handle"]!));
        var agent = await mcp.OkAsync("get_agent", new { handle });
        Assert.Equal((string)mailbox["email_address"]!, (string)agent["email_address"]!);
        Assert.Equal(numberId, (string)agent["phone_number_id"]!);
        Assert.Equal(e164, (string)agent["phone_number"]!);

        var sent = await mcp.OkAsync("send_sms", new { phone_number_id = numberId, to = "+14155550123", text = "Your table is ready." });
        Assert.Equal("outbound", (string)sent["direction"]!);
        Assert.Equal(e164, (string)sent["from"]!);
        Assert.Contains(carrier.Sent, m => m.From == e164 && m.To == "+14155550123" && m.Body == "Your table is ready.");
        var listed = await mcp.OkAsync("list_sms", new { phone_number_id = numberId });
        Assert.Equal([(string)sent["sms_id"]!], listed["messages"]!.AsArray().Select(m => (string)m!["sms_id"]!));

        Assert.Contains("Invalid argument 'to'", await mcp.ErrorAsync("send_sms", new { phone_number_id = numberId, to = "12345", text = "x" }));
        await using var stranger = await McpTestClient.ConnectAsync(server, (await server.NewOrganizationAsync()).Token);
        Assert.StartsWith("Not found", await stranger.ErrorAsync("get_agent", new { handle }));
        Assert.StartsWith("Not found", await stranger.ErrorAsync("send_sms", new { phone_number_id = numberId, to = "+14155550123", text = "x" }));
        Assert.StartsWith("Not found", await stranger.ErrorAsync("list_sms", new { phone_number_id = numberId }));
        Assert.Equal(0, (int)(await stranger.OkAsync("list_agents"))["total"]!);

        await using var reader = await McpTestClient.ConnectAsync(server, await McpTestClient.KeyAsync(server, api.OrgId, "read:threads"));
        var names = (await reader.ToolsAsync()).Select(t => t.Name).ToHashSet();
        Assert.Contains("list_sms", names);
        Assert.DoesNotContain("send_sms", names);
    }
}

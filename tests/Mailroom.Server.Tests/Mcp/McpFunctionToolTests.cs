using System.Threading.Channels;
using Mailroom.Server.Tests.Infrastructure;
using ModelContextProtocol.Protocol;

namespace Mailroom.Server.Tests.Mcp;

/// <summary>Servers that look at open sessions' tool lists every 200 ms and may call actions on 127.0.0.1.</summary>
public sealed class FunctionToolServers() : ServerPerProvider(["--Mailroom:Webhooks:AllowPrivateTargets=true", "--Mailroom:Mcp:ToolListPollInterval=00:00:00.2"]);

/// <summary>
/// Active function-tool actions appear as tools in a session that is already open (told by tools/list_changed), run
/// with their schema checked, and disappear when deleted; on both databases.
/// </summary>
public sealed class McpFunctionToolTests(FunctionToolServers servers) : IClassFixture<FunctionToolServers>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task An_action_created_over_http_appears_as_a_tool_runs_and_goes_away(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        await using var receiver = await ApiReceiver.StartAsync();
        receiver.Answer = """{"status":"found","total":42}""";
        // Sessions are kept in the session-based protocol revision: the server can tell this one that its tools changed.
        await using var mcp = await McpTestClient.ConnectAsync(server, api.Token, "2025-11-25");
        var changes = Channel.CreateUnbounded<bool>();
        await using var _ = mcp.Client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification,
            (_, _) => { changes.Writer.TryWrite(true); return ValueTask.CompletedTask; });
        Assert.DoesNotContain("find_order", (await mcp.ToolsAsync()).Select(t => t.Name));

        var (status, created) = await api.PostAsync("/api/Actions", new
        {
            name = "Find order", description = "Looks an order up in the shop by its number.", actionType = "ApiCall", isFunctionTool = true,
            overrideApiBaseUrl = receiver.BaseUrl, apiEndpoint = "/orders/{{arguments.orderId}}", apiMethod = "GET", toolCallTimeoutSeconds = 10,
            functionParametersSchema = """{"type":"object","properties":{"orderId":{"type":"integer","minimum":1}},"required":["orderId"]}""",
        });
        Assert.True(status == 201, ApiClient.Json(created));
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15))) await changes.Reader.ReadAsync(wait.Token);

        var tool = (await mcp.ToolsAsync()).Single(t => t.Name == "find_order");
        Assert.StartsWith("Looks an order up", tool.Description);
        Assert.Equal("integer", tool.InputSchema.GetProperty("properties").GetProperty("orderId").GetProperty("type").GetString());
        Assert.True(tool.Annotations!.OpenWorldHint);
        Assert.False(tool.Annotations.ReadOnlyHint);

        var result = await mcp.OkAsync("find_order", new { orderId = 7 });
        Assert.Equal("found", (string)result["result"]!["status"]!);
        Assert.Equal("/orders/7", receiver.Requests.Single().Path);
        Assert.Contains("Invalid argument 'arguments'", await mcp.ErrorAsync("find_order", new { orderId = "seven" }));
        Assert.Single(receiver.Requests);

        // A key that may only read does not see it; another organization never does.
        await using (var reader = await McpTestClient.ConnectAsync(server, await McpTestClient.KeyAsync(server, api.OrgId, "read:threads")))
            Assert.DoesNotContain("find_order", (await reader.ToolsAsync()).Select(t => t.Name));
        await using (var stranger = await McpTestClient.ConnectAsync(server, (await server.NewOrganizationAsync()).Token))
        {
            Assert.DoesNotContain("find_order", (await stranger.ToolsAsync()).Select(t => t.Name));
            Assert.Contains("There is no tool named 'find_order'", await stranger.ErrorAsync("find_order", new { orderId = 7 }));
        }

        Assert.Equal(204, (await api.DeleteAsync($"/api/Actions/{(long)created!["actionID"]!}")).Status);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15))) await changes.Reader.ReadAsync(wait.Token);
        Assert.DoesNotContain("find_order", (await mcp.ToolsAsync()).Select(t => t.Name));
        Assert.Contains("There is no tool named 'find_order'", await mcp.ErrorAsync("find_order", new { orderId = 7 }));
    }
}

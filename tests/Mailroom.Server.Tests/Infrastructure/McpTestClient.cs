using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>The MCP SDK's own client on a running server's <c>/mcp</c>, presenting one API key.</summary>
public sealed class McpTestClient(McpClient client) : IAsyncDisposable
{
    public McpClient Client => client;

    /// <param name="protocolVersion">A session-based revision (2025-11-25) keeps a session the server can notify; the SDK's default is its newest.</param>
    public static async Task<McpTestClient> ConnectAsync(MailroomTestServer server, string token, string? protocolVersion = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.Address, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
            // The stream on which the server tells the session that its tool list changed.
            EnableStandaloneGetStream = true,
        });
        return new McpTestClient(await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion }));
    }

    /// <summary>A key of the organization with only these scopes, and limited to one inbox when <paramref name="inboxId"/> is given.</summary>
    public static async Task<string> KeyAsync(MailroomTestServer server, string orgId, string scopes, string? inboxId = null)
    {
        var token = ApiKeyToken.Generate();
        await server.Services.GetRequiredService<IApiKeyRepository>().CreateAsync(new ApiKey
        {
            Id = Ids.New(Ids.ApiKey), OrgId = orgId, Name = "mcp " + scopes, Prefix = token.Prefix, KeyHash = token.Hash, Scopes = scopes,
            InboxId = inboxId, CreatedAt = DateTimeOffset.UtcNow,
        });
        return token.Value;
    }

    public async Task<IReadOnlyList<Tool>> ToolsAsync() => (await client.ListToolsAsync()).Select(t => t.ProtocolTool).ToList();

    public sealed record Result(bool IsError, JsonNode? Body, string Text);

    public async Task<Result> CallAsync(string tool, object? arguments = null)
    {
        var args = arguments is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments))!;
        var result = await client.CallToolAsync(tool, args);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        return new Result(result.IsError == true, result.StructuredContent is { } json ? JsonNode.Parse(json.GetRawText()) : null, text);
    }

    /// <summary>Calls a tool that must succeed and answers its structured result.</summary>
    public async Task<JsonNode> OkAsync(string tool, object? arguments = null)
    {
        var result = await CallAsync(tool, arguments);
        Assert.False(result.IsError, $"{tool}: {result.Text}");
        return result.Body!;
    }

    /// <summary>Calls a tool that must fail and answers its error text.</summary>
    public async Task<string> ErrorAsync(string tool, object? arguments = null)
    {
        var result = await CallAsync(tool, arguments);
        Assert.True(result.IsError, $"{tool} should have failed: {result.Text}");
        return result.Text;
    }

    /// <summary>Polls a tool until its result satisfies <paramref name="done"/> (mail between inboxes goes through the delivery worker).</summary>
    public async Task<JsonNode> WaitForAsync(string tool, object arguments, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var body = await OkAsync(tool, arguments);
            if (done(body)) return body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{tool} never answered what was awaited: {body.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();
}

using System.Diagnostics;
using System.Net.Sockets;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mailroom.Server.Tests.Mcp;

/// <summary>
/// <c>mailroom mcp</c> as a desktop client starts it: the built executable in its own process, on the serving node's
/// configuration and database, the key in <c>MAILROOM_API_KEY</c>, spoken to over stdio with the SDK's client.
/// </summary>
public sealed class McpStdioTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "mailroom.dll");

    [Theory, MemberData(nameof(Providers))]
    public async Task The_stdio_server_serves_the_keys_organization_beside_a_serving_node_and_opens_no_listener(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var alice = await api.CreateInboxAsync("alice-" + Guid.NewGuid().ToString("N")[..8]);
        var bob = await api.CreateInboxAsync("bob-" + Guid.NewGuid().ToString("N")[..8]);
        var stranger = await server.NewOrganizationAsync();
        var strangersInbox = await stranger.CreateInboxAsync("stranger-" + Guid.NewGuid().ToString("N")[..8]);
        var (httpPort, smtpPort) = (Dnsmasq.FreePort(), Dnsmasq.FreePort());

        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mailroom", Command = "dotnet",
            Arguments =
            [
                Executable, "mcp", $"--urls=http://127.0.0.1:{httpPort}", $"--Mailroom:Smtp:Listen=127.0.0.1:{smtpPort}",
                $"--Mailroom:PublicUrl={server.Address.ToString().TrimEnd('/')}", "--Mailroom:Dns:Servers=127.0.0.1:9",
                .. server.Database.HostArguments(),
            ],
            EnvironmentVariables = new Dictionary<string, string?> { ["MAILROOM_API_KEY"] = api.Token },
        });
        await using var client = await McpClient.CreateAsync(transport);
        var mcp = new McpTestClient(client);

        var tools = (await mcp.ToolsAsync()).Select(t => t.Name).ToList();
        Assert.Equal(McpToolTests.AllTools.Order(), tools.Order());
        var inboxes = await mcp.OkAsync("list_inboxes");
        Assert.Equal([(string)alice["inbox_id"]!, (string)bob["inbox_id"]!], inboxes["inboxes"]!.AsArray().Select(i => (string)i!["inbox_id"]!).Order());
        Assert.StartsWith("Not found", await mcp.ErrorAsync("get_inbox", new { inbox_id = (string)strangersInbox["inbox_id"]! }));

        // Mail it sends is queued for the serving node, which delivers it.
        var subject = "From the desktop " + Guid.NewGuid().ToString("N")[..6];
        await mcp.OkAsync("send_message", new { inbox_id = (string)alice["inbox_id"]!, to = new[] { (string)bob["email_address"]! }, subject, text = "hello" });
        var received = await mcp.WaitForAsync("search_messages", new { inbox_id = (string)bob["inbox_id"]!, subject }, b => b["messages"]!.AsArray().Count == 1);
        Assert.Equal("hello", ((string)(await mcp.OkAsync("get_message",
            new { inbox_id = (string)bob["inbox_id"]!, message_id = (string)received["messages"]![0]!["message_id"]! }))["text"]!).Trim());

        foreach (var port in new[] { httpPort, smtpPort })
        {
            using var probe = new TcpClient();
            await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
        }
    }

    [Fact]
    public async Task Without_a_valid_key_the_command_says_so_and_exits()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        foreach (var (key, expected) in new[] { ("", "set MAILROOM_API_KEY"), ("inai_wrong_key", "is not valid") })
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            string[] arguments = [Executable, "mcp", .. database.HostArguments()];
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            start.Environment["MAILROOM_API_KEY"] = key;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(2, process.ExitCode);
            Assert.Contains(expected, await error);
            Assert.Equal("", await output);
        }
    }
}

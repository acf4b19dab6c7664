using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Mcp;

/// <summary>
/// The official TypeScript SDK (<c>@modelcontextprotocol/sdk</c>, Streamable HTTP) against the running server: the script
/// in tests/Mailroom.Mcp.TypeScript, whose packages scripts/test.sh installs with <c>npm ci</c>.
/// </summary>
public sealed class McpTypeScriptClientTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private const string Node = "/usr/bin/node";

    private static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mailroom.slnx"))) return Path.Combine(dir.FullName, "tests", "Mailroom.Mcp.TypeScript");
        throw new InvalidOperationException("the repository root (Mailroom.slnx) is not above the test binaries");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_typescript_sdk_lists_tools_sends_searches_and_replies(string provider)
    {
        var folder = Folder();
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")),
            $"run `npm ci` in {folder} (scripts/test.sh does)");
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();

        var run = await ExternalTools.RunAsync("/usr/bin/env",
        [
            $"MAILROOM_MCP_URL={new Uri(server.Address, "/mcp")}", $"MAILROOM_API_KEY={api.Token}", Node, "--test",
            Path.Combine(folder, "mcp-client.test.mjs"),
        ], timeout: TimeSpan.FromSeconds(90));

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("# pass 1", run.Output);
    }
}

using Mailroom.Core.ApiKeys;
using Mailroom.Server.Dialects.Shared;
using ModelContextProtocol.Server;

namespace Mailroom.Server.Mcp;

/// <summary>
/// <c>mailroom mcp</c>: the tools over standard input and output for a desktop client, as the organization of the key in
/// <c>MAILROOM_API_KEY</c>. It opens no listener and starts no worker, so it runs beside a serving node on the same
/// configuration; mail it sends is queued for that node's delivery workers.
/// </summary>
public static class McpStdio
{
    public const string ApiKeyVariable = "MAILROOM_API_KEY";

    public static async Task<int> RunAsync(IServiceProvider services, IConfiguration configuration, string? token, TextWriter errors, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            await errors.WriteLineAsync($"mailroom mcp: set {ApiKeyVariable} to an API key of the organization to serve");
            return 2;
        }
        var keys = services.GetRequiredService<ApiKeyService>();
        if (await keys.AuthenticateAsync(token, ct) is null)
        {
            await errors.WriteLineAsync($"mailroom mcp: the API key in {ApiKeyVariable} is not valid");
            return 2;
        }
        var origin = LinkOrigin(configuration);
        var options = new McpServerOptions();
        // The key is checked on every call, so a key revoked while the client stays open stops working at once.
        McpEndpoint.Configure(options, async (_, callCt) => await keys.AuthenticateAsync(token, callCt) is { } key
            ? McpCaller.Of(key, origin)
            : throw new McpCallerRefusedException($"The API key in {ApiKeyVariable} is no longer valid; ask for a new key and restart the MCP server."));
        var logging = services.GetRequiredService<ILoggerFactory>();
        await using var server = McpServer.Create(new StdioServerTransport(options, logging), options, logging, services);
        // The host is not started (no listener, no worker), so the tool-list watcher runs here, for this one session.
        var watcher = services.GetRequiredService<McpToolListWatcher>();
        await watcher.StartAsync(ct);
        try { await server.RunAsync(ct); }
        finally { await watcher.StopAsync(CancellationToken.None); }
        return 0;
    }

    /// <summary>
    /// Download links point at <c>Mailroom:PublicUrl</c> when set (see <see cref="AttachmentLinks"/>); otherwise at the
    /// first address the serving node listens on, with a wildcard host read as this machine.
    /// </summary>
    private static string LinkOrigin(IConfiguration configuration)
    {
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:8080";
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://127.0.0.1:8080";
        foreach (var wildcard in new[] { "://*", "://+", "://0.0.0.0", "://[::]" })
            first = first.Replace(wildcard, "://127.0.0.1", StringComparison.Ordinal);
        return first.TrimEnd('/');
    }
}

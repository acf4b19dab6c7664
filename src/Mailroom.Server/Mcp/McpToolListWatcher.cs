using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mailroom.Server.Mcp;

/// <summary>How often open sessions' tool lists are compared with the organization's actions.</summary>
public sealed record McpOptions
{
    public const string Section = "Mailroom:Mcp";
    public TimeSpan ToolListPollInterval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Tells open sessions when their tool list changed (<c>notifications/tools/list_changed</c>), where sessions are kept
/// (the session-based protocol revisions over HTTP, and stdio): every session that listed
/// its tools is looked at again every <see cref="McpOptions.ToolListPollInterval"/>, and told when the list it would get
/// now differs from the one it got. Polling sees actions changed on any node of a cluster.
/// </summary>
public sealed class McpToolListWatcher(IServiceScopeFactory scopes, McpToolbox toolbox, McpOptions options, ILogger<McpToolListWatcher> logger)
    : BackgroundService
{
    private sealed record Watch(McpCaller Caller, string Fingerprint);

    private readonly ConcurrentDictionary<McpServer, Watch> _sessions = new();

    public static string Fingerprint(ListToolsResult list) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(list.Tools.Select(t => new { t.Name, t.Description, Schema = t.InputSchema.GetRawText() })))));

    /// <summary>Remembers what a session was told its tools are.</summary>
    public void Listed(McpServer session, McpCaller caller, ListToolsResult list) => _sessions[session] = new Watch(caller, Fingerprint(list));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ToolListPollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (session, watch) in _sessions)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var now = Fingerprint(await toolbox.ListAsync(watch.Caller, scope.ServiceProvider, stoppingToken));
                    if (now == watch.Fingerprint) continue;
                    _sessions[session] = watch with { Fingerprint = now };
                    await session.SendNotificationAsync(NotificationMethods.ToolListChangedNotification, stoppingToken);
                }
                catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or IOException)
                {
                    // The session is gone, or was never kept (a stateless request of the 2026-07-28 protocol, which
                    // reads the list afresh each time): nobody is left to tell.
                    _sessions.TryRemove(session, out _);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "could not check the MCP tool list of a session");
                }
            }
        }
    }
}

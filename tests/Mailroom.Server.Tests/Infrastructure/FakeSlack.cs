using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Slack's side on 127.0.0.1: incoming webhooks (<c>/services/...</c>, answering <c>ok</c>), the Web API methods the
/// approval channel uses (<c>/api/auth.test</c>, <c>chat.postMessage</c>, <c>chat.update</c>, answering with
/// <c>ok</c>/<c>error</c> as Slack does) and interaction response URLs (<c>/actions/...</c>). Every request is recorded.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    public sealed record Request(string Path, string Authorization, JsonObject Body);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _botTokens = new();
    private long _ts = 1_764_000_000;

    private FakeSlack(WebApplication app) => _app = app;

    public ConcurrentQueue<Request> Requests { get; } = new();
    public string BaseUrl { get; private set; } = "";
    public string ApiBaseUrl => BaseUrl + "/api";

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSlack(app);
        app.MapPost("/services/{*rest}", async (HttpContext http) =>
        {
            await fake.RecordAsync(http);
            return Results.Text("ok");
        });
        app.MapPost("/actions/{*rest}", async (HttpContext http) =>
        {
            await fake.RecordAsync(http);
            return Results.Text("");
        });
        app.MapPost("/api/{method}", async (HttpContext http, string method) =>
        {
            var request = await fake.RecordAsync(http);
            if (!request.Authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !fake._botTokens.ContainsKey(request.Authorization[7..]))
                return Json(new JsonObject { ["ok"] = false, ["error"] = "invalid_auth" });
            var ts = string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref fake._ts)}.000100");
            return method switch
            {
                "auth.test" => Json(new JsonObject { ["ok"] = true, ["url"] = "https://example.slack.com/", ["team"] = "Example", ["user_id"] = "U0BOT", ["bot_id"] = "B0BOT" }),
                "chat.postMessage" => Json(new JsonObject { ["ok"] = true, ["channel"] = ChannelId((string?)request.Body["channel"]), ["ts"] = ts }),
                "chat.update" => Json(new JsonObject { ["ok"] = true, ["channel"] = (string?)request.Body["channel"], ["ts"] = (string?)request.Body["ts"] }),
                _ => Json(new JsonObject { ["ok"] = false, ["error"] = "unknown_method" }),
            };
        });
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    /// <summary>An incoming webhook URL of its own, so that a test sees only its cards.</summary>
    public string NewWebhookUrl() => $"{BaseUrl}/services/T0/B0/{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}";

    /// <summary>A response URL as Slack puts in an interaction payload.</summary>
    public string NewResponseUrl() => $"{BaseUrl}/actions/T0/{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}";

    public string NewBotToken()
    {
        var token = "xoxb-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        _botTokens[token] = true;
        return token;
    }

    /// <summary>Channel names become ids, as chat.postMessage answers them.</summary>
    public static string ChannelId(string? channel) => channel is { } c && c.StartsWith('#') ? "C" + c[1..].ToUpperInvariant() : channel ?? "";

    public IReadOnlyList<Request> To(string url) => [.. Requests.Where(r => BaseUrl + r.Path == url)];

    public async Task<Request> WaitForAsync(Func<Request, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = Requests.FirstOrDefault(match);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Slack was not called as expected");
            await Task.Delay(50);
        }
    }

    private async Task<Request> RecordAsync(HttpContext http)
    {
        var text = await new StreamReader(http.Request.Body).ReadToEndAsync();
        var request = new Request(http.Request.Path, http.Request.Headers.Authorization.ToString(), text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? []);
        Requests.Enqueue(request);
        return request;
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

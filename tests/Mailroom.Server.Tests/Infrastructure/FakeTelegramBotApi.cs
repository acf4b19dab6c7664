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
/// A Bot API server on 127.0.0.1 (<c>POST /bot{token}/{method}</c>) that answers as Telegram does: getMe, setWebhook,
/// deleteWebhook, sendMessage, editMessageText (with Telegram's "message is not modified" refusal), answerCallbackQuery
/// and long-polling getUpdates. It records every call and keeps the messages it was asked to send, so that tests can
/// build the Update JSON Telegram would send back (a callback from a card, a reply to a question).
/// </summary>
public sealed class FakeTelegramBotApi : IAsyncDisposable
{
    public sealed record Call(string Token, string Method, JsonObject Body)
    {
        /// <summary>What a sendMessage made: the message as Telegram answered it.</summary>
        public JsonObject? Sent { get; set; }
    }

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _bots = new();
    private readonly ConcurrentDictionary<(long Chat, int Id), JsonObject> _messages = new();
    private readonly ConcurrentDictionary<string, List<JsonObject>> _updates = new();
    private int _nextMessageId = 100;
    private int _nextUpdateId = 5000;
    private long _nextBotId = 600_000_000 + RandomNumberGenerator.GetInt32(1_000_000);

    private FakeTelegramBotApi(WebApplication app) => _app = app;

    public ConcurrentQueue<Call> Calls { get; } = new();
    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeTelegramBotApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeTelegramBotApi(app);
        app.MapPost("/{bot}/{method}", fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    /// <summary>A new bot that getMe accepts; its token is <c>{bot id}:{secret}</c> as @BotFather makes them.</summary>
    public string NewBot()
    {
        var token = $"{Interlocked.Increment(ref _nextBotId)}:AA{Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}";
        _bots[token] = true;
        return token;
    }

    public static long BotId(string token) => long.Parse(token[..token.IndexOf(':')], CultureInfo.InvariantCulture);

    public IReadOnlyList<Call> CallsOf(string token, string method) => [.. Calls.Where(c => c.Token == token && c.Method == method)];

    public async Task<Call> WaitForCallAsync(string token, string method, Func<Call, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var call = Calls.FirstOrDefault(c => c.Token == token && c.Method == method && (match is null || match(c)));
            if (call is not null) return call;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {method} call for the bot");
            await Task.Delay(50);
        }
    }

    /// <summary>The message as Telegram keeps it now (after edits), as JSON the Bot API would show it.</summary>
    public JsonObject Message(long chatId, int messageId) => (JsonObject)_messages[(chatId, messageId)].DeepClone();

    /// <summary>The last message sent in a chat by a bot.</summary>
    public JsonObject LastSent(string token, long chatId)
    {
        var call = Calls.Last(c => c.Token == token && c.Method == "sendMessage" && ChatOf(c.Body) == chatId);
        return Message(chatId, (int)call.Sent!["message_id"]!);
    }

    public int NextUpdateId() => Interlocked.Increment(ref _nextUpdateId);

    /// <summary>Queues an update for getUpdates (polling mode).</summary>
    public void QueueUpdate(string token, JsonObject update)
    {
        var queue = _updates.GetOrAdd(token, _ => []);
        lock (queue) queue.Add(update);
    }

    public static JsonObject Person(long id, string firstName, string? username) => new()
    {
        ["id"] = id, ["is_bot"] = false, ["first_name"] = firstName, ["username"] = username,
    };

    /// <summary>The update Telegram sends when a person presses an inline button of <paramref name="message"/>.</summary>
    public JsonObject ButtonPress(JsonObject message, string data, JsonObject from) => new()
    {
        ["update_id"] = NextUpdateId(),
        ["callback_query"] = new JsonObject
        {
            ["id"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)), ["from"] = from.DeepClone(), ["message"] = message.DeepClone(),
            ["chat_instance"] = "-7000", ["data"] = data,
        },
    };

    /// <summary>The update for a person's text message replying to <paramref name="repliedTo"/>.</summary>
    public JsonObject Reply(JsonObject repliedTo, string text, JsonObject from)
    {
        var chat = repliedTo["chat"]!.DeepClone();
        return new JsonObject
        {
            ["update_id"] = NextUpdateId(),
            ["message"] = new JsonObject
            {
                ["message_id"] = Interlocked.Increment(ref _nextMessageId), ["from"] = from.DeepClone(), ["chat"] = chat,
                ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["text"] = text, ["reply_to_message"] = Strip(repliedTo),
            },
        };
    }

    /// <summary>The inline buttons of a message: text and callback data.</summary>
    public static IReadOnlyList<(string Text, string Data)> Buttons(JsonObject message) =>
        message["reply_markup"]?["inline_keyboard"] is JsonArray rows
            ? [.. rows.SelectMany(r => r!.AsArray()).Select(b => ((string)b!["text"]!, (string)b["callback_data"]!))]
            : [];

    private async Task<IResult> HandleAsync(HttpContext http, string bot, string method)
    {
        var token = bot.StartsWith("bot", StringComparison.Ordinal) ? bot[3..] : bot;
        var text = await new StreamReader(http.Request.Body).ReadToEndAsync();
        var body = text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
        var call = new Call(token, method, body);
        if (!_bots.ContainsKey(token))
        {
            Calls.Enqueue(call);
            return Error(401, "Unauthorized");
        }
        var me = new JsonObject { ["id"] = BotId(token), ["is_bot"] = true, ["first_name"] = "Approvals", ["username"] = "approvals_test_bot" };
        IResult result;
        switch (method)
        {
            case "getMe":
                result = Ok(me);
                break;
            case "setWebhook" or "deleteWebhook":
                result = Ok(JsonValue.Create(true), method == "setWebhook" ? "Webhook was set" : "Webhook was deleted");
                break;
            case "answerCallbackQuery":
                result = Ok(JsonValue.Create(true));
                break;
            case "sendMessage":
            {
                var chatId = ChatOf(body);
                var id = Interlocked.Increment(ref _nextMessageId);
                var message = new JsonObject
                {
                    ["message_id"] = id, ["from"] = me,
                    ["chat"] = chatId < 0 ? new JsonObject { ["id"] = chatId, ["type"] = "group", ["title"] = "Approvers" }
                        : new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = "Ana" },
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["text"] = (string?)body["text"],
                };
                // Telegram shows inline keyboards on the message; a ForceReply is not part of it.
                if (body["reply_markup"] is JsonObject markup && markup.ContainsKey("inline_keyboard")) message["reply_markup"] = markup.DeepClone();
                if (body["reply_parameters"]?["message_id"] is { } repliedId && _messages.TryGetValue((chatId, (int)repliedId), out var replied))
                    message["reply_to_message"] = Strip(replied);
                _messages[(chatId, id)] = message;
                call.Sent = (JsonObject)message.DeepClone();
                result = Ok(message.DeepClone());
                break;
            }
            case "editMessageText":
            {
                var key = (ChatOf(body), (int)body["message_id"]!);
                if (!_messages.TryGetValue(key, out var message)) { result = Error(400, "Bad Request: message to edit not found"); break; }
                var newMarkup = body["reply_markup"] as JsonObject;
                if ((string?)message["text"] == (string?)body["text"] && message["reply_markup"] is null && newMarkup is null)
                {
                    result = Error(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
                    break;
                }
                message["text"] = (string?)body["text"];
                message["edit_date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                if (newMarkup is null) message.Remove("reply_markup"); else message["reply_markup"] = newMarkup.DeepClone();
                result = Ok(message.DeepClone());
                break;
            }
            case "getUpdates":
                result = Ok(await UpdatesAsync(token, body, http.RequestAborted));
                break;
            default:
                result = Error(404, "Not Found: method not found");
                break;
        }
        Calls.Enqueue(call);
        return result;
    }

    private async Task<JsonArray> UpdatesAsync(string token, JsonObject body, CancellationToken ct)
    {
        var offset = (long?)body["offset"] ?? 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds((int?)body["timeout"] ?? 0);
        var queue = _updates.GetOrAdd(token, _ => []);
        while (true)
        {
            lock (queue)
            {
                // As Telegram: an offset confirms every update before it, which is then forgotten.
                queue.RemoveAll(u => (int)u["update_id"]! < offset);
                if (queue.Count > 0 || DateTime.UtcNow >= deadline) return [.. queue.Select(u => u.DeepClone())];
            }
            try { await Task.Delay(50, ct); }
            catch (OperationCanceledException) { return []; }
        }
    }

    private static long ChatOf(JsonObject body) => body["chat_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id
        : long.Parse((string)body["chat_id"]!, CultureInfo.InvariantCulture);

    /// <summary>As Telegram nests a replied-to message: without its own reply_to_message.</summary>
    private static JsonObject Strip(JsonObject message)
    {
        var copy = (JsonObject)message.DeepClone();
        copy.Remove("reply_to_message");
        return copy;
    }

    private static IResult Ok(JsonNode? result, string? description = null)
    {
        var answer = new JsonObject { ["ok"] = true, ["result"] = result };
        if (description is not null) answer["description"] = description;
        return Results.Text(answer.ToJsonString(), "application/json");
    }

    private static IResult Error(int code, string description) =>
        Results.Text(new JsonObject { ["ok"] = false, ["error_code"] = code, ["description"] = description }.ToJsonString(), "application/json", statusCode: code);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

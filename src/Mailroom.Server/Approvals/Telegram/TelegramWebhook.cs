using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mailroom.Core.Approvals;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Mailroom.Server.Approvals.Telegram;

/// <summary>
/// <c>POST /hooks/telegram/{hookId}</c>, the address <c>setWebhook</c> registered: the update is taken only with the
/// <c>X-Telegram-Bot-Api-Secret-Token</c> header that registration set (compared in constant time).
/// </summary>
public static class TelegramWebhook
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/hooks/telegram/{hookId}", async (HttpContext http, string hookId, IChatApprovalHookRepository hooks, TelegramBots bots,
            TelegramUpdates updates) =>
        {
            var ct = http.RequestAborted;
            var hook = await hooks.GetAsync(hookId, ct);
            if (hook is null || hook.Type != ApprovalChannelTypes.Telegram) return Results.NotFound();
            var given = Encoding.UTF8.GetBytes(http.Request.Headers[SecretHeader].ToString());
            if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(bots.WebhookSecret(hook)))) return Results.Unauthorized();
            Update? update;
            try
            {
                update = await JsonSerializer.DeserializeAsync<Update>(http.Request.Body, JsonBotAPI.Options, ct);
            }
            catch (JsonException)
            {
                return Results.BadRequest();
            }
            if (update is not null) await updates.HandleAsync(hook, update, ct);
            return Results.Ok();
        });
}

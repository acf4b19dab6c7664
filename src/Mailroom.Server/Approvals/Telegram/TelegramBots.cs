using System.Globalization;
using System.Text;
using Mailroom.Core.Approvals;
using Mailroom.Core.Security;
using Mailroom.Server.Net;
using Mailroom.Server.Pages;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.ReplyMarkups;

namespace Mailroom.Server.Approvals.Telegram;

/// <summary>
/// Bot API clients on the guarded HTTP client, and what the channel, the webhook and the poller share: the mode, the
/// webhook address, the sealed secrets of a hook and the purpose a card's buttons are signed for.
/// </summary>
public sealed class TelegramBots(TelegramOptions options, IHttpClientFactory http, PublicLinks links, SecretBox secrets)
{
    private const string TokenPurpose = "approval_channel.telegram.bot_token";
    private const string SecretPurpose = "approval_channel.telegram.secret_token";

    public TelegramOptions Options => options;

    public bool Polling => options.Mode is { Length: > 0 } mode ? mode == "polling" : !links.IsHttps;

    /// <param name="timeout">Longer than the default for a long-polling <c>getUpdates</c>.</param>
    public TelegramBotClient Client(string token, TimeSpan? timeout = null)
    {
        var client = http.CreateClient(GuardedHttp.ClientName);
        if (timeout is { } t) client.Timeout = t;
        return new TelegramBotClient(new TelegramBotClientOptions(token, options.ApiBaseUrl.TrimEnd('/')), client);
    }

    public TelegramBotClient Client(ChatApprovalHook hook, TimeSpan? timeout = null) => Client(BotToken(hook), timeout);

    public string WebhookUrl(string hookId) => links.Absolute("/hooks/telegram/" + Uri.EscapeDataString(hookId));

    public string SealToken(string token) => secrets.Seal(token, TokenPurpose);
    public string SealSecret(string secret) => secrets.Seal(secret, SecretPurpose);
    public string BotToken(ChatApprovalHook hook) => secrets.OpenString(hook.TokenSealed!, TokenPurpose);
    public string WebhookSecret(ChatApprovalHook hook) => secrets.OpenString(hook.SecretSealed, SecretPurpose);

    /// <summary>
    /// What a card's buttons are signed for: one bot's hook and the chat the card was posted in, so that a button acts
    /// only when pressed in that chat and reported by that bot.
    /// </summary>
    public static string ButtonPurpose(string hookId, long chatId) => string.Create(CultureInfo.InvariantCulture, $"telegram-card:{hookId}:{chatId}");

    /// <summary>Editing a card to what it already shows: the card was closed already (by the button's own answer or another decision).</summary>
    public static bool IsNotModified(ApiRequestException e) => e.ErrorCode == 400 && e.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase);

    public static string DecidedBy(global::Telegram.Bot.Types.User? user) => user switch
    {
        { Username: { Length: > 0 } name } => "telegram:@" + name,
        { } u => "telegram:" + u.Id.ToString(CultureInfo.InvariantCulture),
        null => "telegram",
    };
}

/// <summary>The card's text: plain text (no parse mode), so that the text Telegram hands back in a callback is the text we sent.</summary>
public static class TelegramCards
{
    /// <summary>Telegram's limit for a message's text; the draft's text is cut to leave room for the rest.</summary>
    private const int MaxLength = 4096;
    private const int Reserve = 600;

    public static string Render(ApprovalCard card)
    {
        var head = new StringBuilder();
        head.Append(card.Escalated ? "⏰ Still waiting for approval" : "✉️ Draft waiting for approval").Append('\n');
        head.Append("From: ").Append(card.From).Append('\n');
        head.Append("To: ").Append(string.Join(", ", card.To)).Append('\n');
        if (card.Cc.Count > 0) head.Append("Cc: ").Append(string.Join(", ", card.Cc)).Append('\n');
        if (!string.IsNullOrEmpty(card.Subject)) head.Append("Subject: ").Append(card.Subject).Append('\n');
        var tail = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(card.Rationale)) tail.Append("\n\nWhy: ").Append(card.Rationale);
        tail.Append(CultureInfo.InvariantCulture, $"\n\nVersion {card.Version} of draft {card.DraftId}");
        var room = MaxLength - Reserve - head.Length - tail.Length;
        var text = card.Text.Length <= room ? card.Text : card.Text[..Math.Max(0, room - 1)] + "…";
        return Cut(head.Append('\n').Append(text).Append(tail).ToString());
    }

    public static string Closed(string cardText, ApprovalOutcome outcome) =>
        WithFooter(cardText, ApprovalWording.Mark(outcome) + " " + ApprovalWording.Outcome(outcome));

    public static InlineKeyboardMarkup Buttons(IReadOnlyDictionary<string, string> tokens) => new(new InlineKeyboardButton[]
    {
        InlineKeyboardButton.WithCallbackData("✅ Approve", tokens[ButtonActions.Approve]),
        InlineKeyboardButton.WithCallbackData("❌ Reject", tokens[ButtonActions.Reject]),
        InlineKeyboardButton.WithCallbackData("✏️ Edit", tokens[ButtonActions.Edit]),
    });

    private static string WithFooter(string text, string footer)
    {
        var room = MaxLength - footer.Length - 2;
        return (text.Length <= room ? text : text[..(room - 1)] + "…") + "\n\n" + footer;
    }

    private static string Cut(string text) => text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
}

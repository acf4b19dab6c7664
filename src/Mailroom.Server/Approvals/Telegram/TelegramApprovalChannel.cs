using System.Globalization;
using System.Text.RegularExpressions;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Links;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Mailroom.Server.Approvals.Telegram;

/// <summary>
/// Approval on Telegram through the Bot API: a card with Approve, Reject and Edit buttons in the configured chat. The
/// buttons carry one-time link tokens (56 bytes, within the 64 allowed for callback data), signed for this bot's hook
/// and this chat; the bot's answers arrive at the webhook it registered, or through polling (see <see cref="TelegramUpdates"/>).
/// </summary>
public sealed partial class TelegramApprovalChannel(TelegramBots bots, IChatApprovalHookRepository hooks, OneTimeLinks links,
    ITransactionRunner transactions, TelegramBotsChanged botsChanged, TimeProvider time) : IApprovalChannel
{
    private const string Field = "approval_channel.config.";
    /// <summary>Stored with the config: the hook callbacks for this bot come to (not secret, it names no bot).</summary>
    public const string HookIdKey = "hook_id";

    public string Type => ApprovalChannelTypes.Telegram;

    public IReadOnlySet<string> SecretKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { "bot_token", "secret_token" };

    public async Task<ApprovalChannelConfig> PrepareAsync(string orgId, ApprovalChannelConfig config, CancellationToken ct)
    {
        var token = config["bot_token"];
        if (string.IsNullOrWhiteSpace(token)) throw new ValidationException(Field + "bot_token", "is required");
        if (!BotTokenShape().IsMatch(token)) throw new ValidationException(Field + "bot_token", "is not a Telegram bot token (<bot id>:<secret>, as @BotFather gives it)");
        if (!long.TryParse(config["chat_id"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new ValidationException(Field + "chat_id", "is required: the numeric id of the chat or group the cards go to");

        var client = bots.Client(token);
        var me = await CallAsync(() => client.GetMe(ct), "getMe");
        var secret = ApprovalWording.NewSecret();
        var hook = await hooks.SaveAsync(new ChatApprovalHook
        {
            Id = ApprovalWording.NewId("tg_"), OrgId = orgId, Type = Type, Account = me.Id.ToString(CultureInfo.InvariantCulture),
            TokenSealed = bots.SealToken(token), SecretSealed = bots.SealSecret(secret),
        }, time.GetUtcNow(), ct);
        if (bots.Polling)
        {
            // getUpdates answers 409 while a webhook is set.
            await CallAsync(() => client.DeleteWebhook(cancellationToken: ct), "deleteWebhook");
            botsChanged.Notify();
        }
        else
        {
            await CallAsync(() => client.SetWebhook(bots.WebhookUrl(hook.Id), secretToken: secret,
                allowedUpdates: [UpdateType.Message, UpdateType.CallbackQuery], cancellationToken: ct), "setWebhook");
        }

        var values = new Dictionary<string, string>(config.Values, StringComparer.Ordinal)
        {
            ["secret_token"] = secret, [HookIdKey] = hook.Id,
        };
        if (me.Username is { Length: > 0 } username) values["bot_username"] = username;
        return config with { Values = values };
    }

    public async Task<ChannelNotice> AnnounceAsync(ApprovalChannelConfig config, ApprovalCard card, CancellationToken ct)
    {
        var (client, hookId, chatId) = Open(config);
        var purpose = TelegramBots.ButtonPurpose(hookId, chatId);
        var tokens = await transactions.InTransactionAsync(() => links.IssueAsync(card.OrgId, purpose, card.DraftId,
            [ButtonActions.Approve, ButtonActions.Reject, ButtonActions.Edit], bots.Options.ButtonLifetime, ct), ct);
        var group = (await links.FindUsableAsync(tokens[ButtonActions.Approve], purpose, ct))!.GroupId;
        var message = await client.SendMessage(chatId, TelegramCards.Render(card), replyMarkup: TelegramCards.Buttons(tokens),
            linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true }, cancellationToken: ct);
        return new ChannelNotice(Type, new CardReference(message.Chat.Id, message.Id, group).ToString());
    }

    public async Task CloseAsync(ApprovalChannelConfig config, ChannelNotice notice, ApprovalCard card, ApprovalOutcome outcome, CancellationToken ct)
    {
        var (client, _, _) = Open(config);
        var reference = CardReference.Parse(notice.Reference);
        await links.VoidGroupAsync(reference.LinkGroupId, ct);
        await EditCardAsync(client, reference.ChatId, reference.MessageId, TelegramCards.Closed(TelegramCards.Render(card), outcome), ct);
    }

    /// <summary>Shows the card's new text without buttons; a card already showing it (closed by its own button) stays as it is.</summary>
    internal static async Task EditCardAsync(TelegramBotClient client, long chatId, int messageId, string text, CancellationToken ct)
    {
        try
        {
            // Without reply_markup the edit removes the inline keyboard.
            await client.EditMessageText(chatId, messageId, text, linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true }, cancellationToken: ct);
        }
        catch (ApiRequestException e) when (TelegramBots.IsNotModified(e))
        {
        }
    }

    private (TelegramBotClient Client, string HookId, long ChatId) Open(ApprovalChannelConfig config)
    {
        var token = config["bot_token"] ?? throw new InvalidOperationException("a telegram approval channel without bot_token");
        var hookId = config[HookIdKey] ?? throw new InvalidOperationException("a telegram approval channel that was not prepared (no hook_id)");
        var chatId = long.Parse(config["chat_id"] ?? throw new InvalidOperationException("a telegram approval channel without chat_id"), CultureInfo.InvariantCulture);
        return (bots.Client(token), hookId, chatId);
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, string method)
    {
        try
        {
            return await call();
        }
        catch (ApiRequestException e)
        {
            throw new ValidationException(Field + "bot_token", $"Telegram refused {method}: {e.Message}");
        }
        catch (Exception e) when (e is RequestException or HttpRequestException or TaskCanceledException)
        {
            throw new ValidationException(Field + "bot_token", $"the Telegram Bot API could not be reached for {method}: {e.Message}");
        }
    }

    private static Task<bool> CallAsync(Func<Task> call, string method) => CallAsync(async () => { await call(); return true; }, method);

    [GeneratedRegex(@"^[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$")]
    private static partial Regex BotTokenShape();
}

/// <summary>Where a card is: its chat, its message, and the group of its buttons' links (the <see cref="ChannelNotice.Reference"/>).</summary>
internal sealed record CardReference(long ChatId, int MessageId, string LinkGroupId)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ChatId}:{MessageId}:{LinkGroupId}");

    public static CardReference Parse(string reference)
    {
        var parts = reference.Split(':', 3);
        return new CardReference(long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
    }
}

/// <summary>A bot was prepared for polling: the poller picks it up now instead of at its next look.</summary>
public sealed class TelegramBotsChanged : Workers.WorkSignal;

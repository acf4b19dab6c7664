using System.Globalization;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Links;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.ReplyMarkups;

namespace Mailroom.Server.Approvals.Telegram;

/// <summary>
/// What a bot is told, by webhook or by polling alike: a pressed button (a callback query) or the answer to an Edit
/// question (a message replying to the bot's ForceReply). Buttons act only when their token was signed for this hook and
/// the chat they were pressed in; answers only when they reply to a question this bot asked in that chat.
/// </summary>
public sealed class TelegramUpdates(TelegramBots bots, IChatApprovalHookRepository hooks, OneTimeLinks links, IDraftReviews reviews,
    TimeProvider time, ILogger<TelegramUpdates> log)
{
    public async Task HandleAsync(ChatApprovalHook hook, Update update, CancellationToken ct)
    {
        if (update.CallbackQuery is { } pressed) await OnButtonAsync(hook, pressed, ct);
        else if (update.Message is { ReplyToMessage: { } question, Text: { } text } answer) await OnAnswerAsync(hook, answer, question, text, ct);
    }

    private async Task OnButtonAsync(ChatApprovalHook hook, CallbackQuery pressed, CancellationToken ct)
    {
        var client = bots.Client(hook);
        if (pressed.Message is not { Chat.Id: var chatId } card || string.IsNullOrEmpty(pressed.Data))
        {
            await client.AnswerCallbackQuery(pressed.Id, "This button does not belong to an approval card.", cancellationToken: ct);
            return;
        }
        var link = await links.FindUsableAsync(pressed.Data, TelegramBots.ButtonPurpose(hook.Id, chatId), ct);
        if (link is null)
        {
            log.LogInformation("Telegram button refused in chat {ChatId}: not a live card of this bot and chat", chatId);
            await client.AnswerCallbackQuery(pressed.Id, "This card no longer acts: the draft was decided, edited, or the card expired.", showAlert: true, cancellationToken: ct);
            return;
        }
        var person = TelegramBots.DecidedBy(pressed.From);
        try
        {
            switch (link.Action)
            {
                case ButtonActions.Approve or ButtonActions.Reject:
                    var outcome = link.Action == ButtonActions.Approve
                        ? await reviews.ApproveAsync(link.OrgId, link.SubjectId, person, ct)
                        : await reviews.RejectAsync(link.OrgId, link.SubjectId, person, null, ct);
                    await links.VoidGroupAsync(link.GroupId, ct);
                    await client.AnswerCallbackQuery(pressed.Id, ApprovalWording.Outcome(outcome), cancellationToken: ct);
                    await TelegramApprovalChannel.EditCardAsync(client, chatId, card.Id, TelegramCards.Closed(card.Text ?? "", outcome), ct);
                    break;
                case ButtonActions.Edit:
                    await AskForTextAsync(client, hook, link, pressed, card, ct);
                    await client.AnswerCallbackQuery(pressed.Id, "Reply to my question with the new text.", cancellationToken: ct);
                    break;
            }
        }
        catch (MailroomException e)
        {
            // Not pending any more, stale, and the like: the person is told why, the card stays as it is.
            await client.AnswerCallbackQuery(pressed.Id, e.Detail, showAlert: true, cancellationToken: ct);
        }
    }

    private async Task AskForTextAsync(TelegramBotClient client, ChatApprovalHook hook, OneTimeLink link, CallbackQuery pressed, Message card, CancellationToken ct)
    {
        // In a group, ForceReply with Selective opens the reply box only for the person @mentioned.
        var mention = pressed.From.Username is { Length: > 0 } name ? "@" + name + ", r" : "R";
        var question = await client.SendMessage(card.Chat.Id, $"{mention}eply to this message with the new text of the draft.",
            replyParameters: card.Id,
            replyMarkup: new ForceReplyMarkup { Selective = pressed.From.Username is { Length: > 0 }, InputFieldPlaceholder = "New text of the draft" },
            cancellationToken: ct);
        await hooks.AddPromptAsync(new TelegramEditPrompt
        {
            HookId = hook.Id, ChatId = card.Chat.Id, MessageId = question.Id, OrgId = link.OrgId, DraftId = link.SubjectId,
            CardMessageId = card.Id, CardText = card.Text ?? "", LinkGroupId = link.GroupId, CreatedAt = time.GetUtcNow(),
        }, ct);
    }

    private async Task OnAnswerAsync(ChatApprovalHook hook, Message answer, Message question, string text, CancellationToken ct)
    {
        // Only the bot's own questions: a reply to anything else in the chat is conversation.
        if (question.From?.Id.ToString(CultureInfo.InvariantCulture) != hook.Account) return;
        var prompt = await hooks.TakePromptAsync(hook.Id, answer.Chat.Id, question.Id, ct);
        if (prompt is null) return;
        var client = bots.Client(hook);
        var person = TelegramBots.DecidedBy(answer.From);
        try
        {
            await reviews.EditTextAsync(prompt.OrgId, prompt.DraftId, person, text, ct);
        }
        catch (MailroomException e)
        {
            await client.SendMessage(answer.Chat.Id, "The draft was not changed: " + e.Detail, replyParameters: answer.Id, cancellationToken: ct);
            return;
        }
        // The old card's buttons would act on text nobody sees on it: they stop, and the card says why (the use case closes
        // it too, to the same text, when it closes the draft's cards).
        await links.VoidGroupAsync(prompt.LinkGroupId, ct);
        await TelegramApprovalChannel.EditCardAsync(client, prompt.ChatId, checked((int)prompt.CardMessageId),
            TelegramCards.Closed(prompt.CardText, new ApprovalOutcome(ApprovalWording.Edited, person, time.GetUtcNow())), ct);
    }
}

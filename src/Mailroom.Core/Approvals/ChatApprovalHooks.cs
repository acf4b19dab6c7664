namespace Mailroom.Core.Approvals;

/// <summary>
/// A Telegram bot or Slack app that calls back into Mailroom, for one organization. <see cref="Account"/> tells hooks of
/// one type apart (the Telegram bot's id; a digest of the Slack signing secret); <see cref="TokenSealed"/> is the bot
/// token (Telegram) and <see cref="SecretSealed"/> what callbacks are checked with (the webhook's secret token, the
/// Slack signing secret), both sealed by the channel that stored them.
/// </summary>
public sealed record ChatApprovalHook
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Type { get; init; }
    public required string Account { get; init; }
    public string? TokenSealed { get; init; }
    public required string SecretSealed { get; init; }
    /// <summary>Telegram polling: the first update id not yet handled.</summary>
    public long PollOffset { get; init; }
}

/// <summary>A Telegram ForceReply question waiting for the new text of a draft.</summary>
public sealed record TelegramEditPrompt
{
    public required string HookId { get; init; }
    public required long ChatId { get; init; }
    /// <summary>The question's message: the answer is a reply to it.</summary>
    public required long MessageId { get; init; }
    public required string OrgId { get; init; }
    public required string DraftId { get; init; }
    /// <summary>The card whose Edit button asked, closed once the new version is in.</summary>
    public required long CardMessageId { get; init; }
    /// <summary>The card's text as shown, so that it can be closed without asking Telegram for it.</summary>
    public required string CardText { get; init; }
    public required string LinkGroupId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

public interface IChatApprovalHookRepository
{
    /// <summary>Stores the hook, or renews the one the organization already has for the same type and account (keeping its id and poll offset); answers what is stored.</summary>
    Task<ChatApprovalHook> SaveAsync(ChatApprovalHook hook, DateTimeOffset at, CancellationToken ct = default);
    Task<ChatApprovalHook?> GetAsync(string id, CancellationToken ct = default);
    Task<IReadOnlyList<ChatApprovalHook>> ListAsync(string type, CancellationToken ct = default);
    Task SetPollOffsetAsync(string id, long offset, CancellationToken ct = default);
    Task AddPromptAsync(TelegramEditPrompt prompt, CancellationToken ct = default);
    /// <summary>Removes and answers the question a reply answers; null when there is none (or another reply took it first).</summary>
    Task<TelegramEditPrompt?> TakePromptAsync(string hookId, long chatId, long messageId, CancellationToken ct = default);
}

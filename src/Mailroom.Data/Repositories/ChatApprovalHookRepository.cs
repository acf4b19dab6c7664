using Mailroom.Core.Approvals;

namespace Mailroom.Data.Repositories;

public sealed class ChatApprovalHookRepository(MailroomDatabase db) : IChatApprovalHookRepository
{
    private const string Columns = "id, org_id, type, account, token_sealed, secret_sealed, poll_offset";
    private const string PromptColumns = "hook_id, chat_id, message_id, org_id, draft_id, card_message_id, card_text, link_group_id, created_at";

    private sealed class HookRow
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Type { get; set; } = "";
        public string Account { get; set; } = "";
        public string? TokenSealed { get; set; }
        public string SecretSealed { get; set; } = "";
        public long PollOffset { get; set; }

        public ChatApprovalHook ToHook() => new()
        {
            Id = Id, OrgId = OrgId, Type = Type, Account = Account, TokenSealed = TokenSealed, SecretSealed = SecretSealed, PollOffset = PollOffset,
        };
    }

    private sealed class PromptRow
    {
        public string HookId { get; set; } = "";
        public long ChatId { get; set; }
        public long MessageId { get; set; }
        public string OrgId { get; set; } = "";
        public string DraftId { get; set; } = "";
        public long CardMessageId { get; set; }
        public string CardText { get; set; } = "";
        public string LinkGroupId { get; set; } = "";
        public long CreatedAt { get; set; }
    }

    public async Task<ChatApprovalHook> SaveAsync(ChatApprovalHook hook, DateTimeOffset at, CancellationToken ct = default)
    {
        var args = new { hook.Id, hook.OrgId, hook.Type, hook.Account, hook.TokenSealed, hook.SecretSealed, At = Time.Ms(at) };
        await db.ExecuteAsync(
            "INSERT INTO chat_approval_hooks (id, org_id, type, account, token_sealed, secret_sealed, poll_offset, created_at, updated_at) " +
            "VALUES (@Id, @OrgId, @Type, @Account, @TokenSealed, @SecretSealed, 0, @At, @At) " +
            "ON CONFLICT (org_id, type, account) DO UPDATE SET token_sealed = excluded.token_sealed, secret_sealed = excluded.secret_sealed, updated_at = excluded.updated_at",
            args, ct);
        var row = await db.QuerySingleOrDefaultAsync<HookRow>(
            $"SELECT {Columns} FROM chat_approval_hooks WHERE org_id = @OrgId AND type = @Type AND account = @Account", args, ct);
        return row!.ToHook();
    }

    public async Task<ChatApprovalHook?> GetAsync(string id, CancellationToken ct = default) =>
        (await db.QuerySingleOrDefaultAsync<HookRow>($"SELECT {Columns} FROM chat_approval_hooks WHERE id = @id", new { id }, ct))?.ToHook();

    public async Task<IReadOnlyList<ChatApprovalHook>> ListAsync(string type, CancellationToken ct = default) =>
        [.. (await db.QueryAsync<HookRow>($"SELECT {Columns} FROM chat_approval_hooks WHERE type = @type ORDER BY id", new { type }, ct)).Select(r => r.ToHook())];

    public Task SetPollOffsetAsync(string id, long offset, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE chat_approval_hooks SET poll_offset = @offset WHERE id = @id AND poll_offset < @offset", new { id, offset }, ct);

    public Task AddPromptAsync(TelegramEditPrompt prompt, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO telegram_edit_prompts ({PromptColumns}) VALUES (@HookId, @ChatId, @MessageId, @OrgId, @DraftId, @CardMessageId, @CardText, @LinkGroupId, @CreatedAt)",
        new { prompt.HookId, prompt.ChatId, prompt.MessageId, prompt.OrgId, prompt.DraftId, prompt.CardMessageId, prompt.CardText, prompt.LinkGroupId, CreatedAt = Time.Ms(prompt.CreatedAt) }, ct);

    public async Task<TelegramEditPrompt?> TakePromptAsync(string hookId, long chatId, long messageId, CancellationToken ct = default)
    {
        // DELETE ... RETURNING: of two replies to one question only one gets it. A transaction, so that SQLite's one
        // writer at a time also holds for this write that reads.
        var row = await db.InTransactionAsync(() => db.QuerySingleOrDefaultAsync<PromptRow>(
            $"DELETE FROM telegram_edit_prompts WHERE hook_id = @hookId AND chat_id = @chatId AND message_id = @messageId RETURNING {PromptColumns}",
            new { hookId, chatId, messageId }, ct), ct);
        return row is null ? null : new TelegramEditPrompt
        {
            HookId = row.HookId, ChatId = row.ChatId, MessageId = row.MessageId, OrgId = row.OrgId, DraftId = row.DraftId,
            CardMessageId = row.CardMessageId, CardText = row.CardText, LinkGroupId = row.LinkGroupId, CreatedAt = Time.At(row.CreatedAt),
        };
    }
}

using Mailroom.Core.Approvals;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

public sealed class ChatApprovalHookTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static ChatApprovalHook Hook(string id, string orgId, string account, string secret) => new()
    {
        Id = id, OrgId = orgId, Type = ApprovalChannelTypes.Telegram, Account = account, TokenSealed = "token-" + secret, SecretSealed = secret,
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task Setting_a_bot_again_renews_its_secrets_and_keeps_its_hook_and_offset(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var hooks = new ChatApprovalHookRepository(fixture.Db);

        var first = await hooks.SaveAsync(Hook("tg_1", fixture.OrgA, "777", "s1"), fixture.Now);
        await hooks.SetPollOffsetAsync(first.Id, 42);
        await hooks.SetPollOffsetAsync(first.Id, 41); // never backwards
        var again = await hooks.SaveAsync(Hook("tg_2", fixture.OrgA, "777", "s2"), fixture.Now);
        var otherOrg = await hooks.SaveAsync(Hook("tg_3", fixture.OrgB, "777", "s3"), fixture.Now);

        Assert.Equal("tg_1", again.Id);
        Assert.Equal(("s2", "token-s2", 42L), (again.SecretSealed, again.TokenSealed, again.PollOffset));
        Assert.Equal("tg_3", otherOrg.Id);
        Assert.Equal(["tg_1", "tg_3"], (await hooks.ListAsync(ApprovalChannelTypes.Telegram)).Select(h => h.Id));
        Assert.Empty(await hooks.ListAsync(ApprovalChannelTypes.Slack));
        Assert.Null(await hooks.GetAsync("tg_2"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_edit_question_is_taken_once(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var hooks = new ChatApprovalHookRepository(fixture.Db);
        var hook = await hooks.SaveAsync(Hook("tg_1", fixture.OrgA, "777", "s1"), fixture.Now);
        var prompt = new TelegramEditPrompt
        {
            HookId = hook.Id, ChatId = -100123, MessageId = 55, OrgId = fixture.OrgA, DraftId = "drf_1", CardMessageId = 54, CardText = "the card",
            LinkGroupId = "grp_1", CreatedAt = fixture.Now,
        };
        await hooks.AddPromptAsync(prompt);

        Assert.Null(await hooks.TakePromptAsync(hook.Id, -100999, 55));
        Assert.Equal(prompt, await hooks.TakePromptAsync(hook.Id, -100123, 55));
        Assert.Null(await hooks.TakePromptAsync(hook.Id, -100123, 55));
    }
}

using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

public sealed record TopicActionDraft(long? TopicId, string? SpecialTopic, long DocumentId, long? ChannelId, string? SpecialChannel, long ActionId, int Priority);

public sealed record HookActionDraft(string? Hook, long? ChannelId, long ActionId, int Priority);

/// <summary>
/// The use cases of topic and hook links: create one (a duplicate combination is a conflict) or many (existing
/// combinations skipped), change the priority, delete, list, and the total Wait time of a hook.
/// </summary>
public sealed class ActionLinkService(IActionLinkRepository links, IActionRepository actions, ITopicRepository topics,
    IAutomationChannelRepository channels, AutomationConfigCache configs, ITransactionRunner transactions, TimeProvider time)
{
    public static readonly IReadOnlyList<string> SortFields = ["priority", "id", "action_id", "created_at"];

    public async Task<TopicActionLink> CreateTopicActionAsync(string orgId, TopicActionDraft draft, CancellationToken ct = default)
    {
        var link = await CheckAsync(orgId, draft, ct);
        if (!await links.TryCreateTopicActionAsync(link, ct))
            throw new ConflictException("topic_action", "this action is already linked to this topic and channel");
        configs.Forget(orgId);
        return await links.GetTopicActionAsync(orgId, link.Id, ct) ?? link;
    }

    public Task<IReadOnlyList<TopicActionLink>> CreateTopicActionsAsync(string orgId, IReadOnlyList<TopicActionDraft> drafts, CancellationToken ct = default) =>
        transactions.InTransactionAsync<IReadOnlyList<TopicActionLink>>(async () =>
        {
            Check.AtMost("items", drafts.Count, 500, "links");
            var created = new List<TopicActionLink>();
            foreach (var draft in drafts)
            {
                var link = await CheckAsync(orgId, draft, ct);
                if (await links.TryCreateTopicActionAsync(link, ct)) created.Add(await links.GetTopicActionAsync(orgId, link.Id, ct) ?? link);
            }
            configs.Forget(orgId);
            return created;
        }, ct);

    public async Task<TopicActionLink> GetTopicActionAsync(string orgId, long id, CancellationToken ct = default) =>
        await links.GetTopicActionAsync(orgId, id, ct) ?? throw new NotFoundException("topic_action");

    public Task<Page<TopicActionLink>> ListTopicActionsAsync(string orgId, TopicActionFilter filter, ListOrder order, PageRequest page,
        CancellationToken ct = default) => links.ListTopicActionsAsync(orgId, filter, Sorted(order), page, ct);

    public async Task SetTopicActionPriorityAsync(string orgId, long id, int priority, CancellationToken ct = default)
    {
        if (!await links.SetTopicActionPriorityAsync(orgId, id, priority, ct)) throw new NotFoundException("topic_action");
        configs.Forget(orgId);
    }

    public async Task DeleteTopicActionAsync(string orgId, long id, CancellationToken ct = default)
    {
        if (!await links.DeleteTopicActionAsync(orgId, id, ct)) throw new NotFoundException("topic_action");
        configs.Forget(orgId);
    }

    public async Task<HookActionLink> CreateHookActionAsync(string orgId, HookActionDraft draft, CancellationToken ct = default)
    {
        var link = await CheckAsync(orgId, draft, ct);
        if (!await links.TryCreateHookActionAsync(link, ct))
            throw new ConflictException("hook_action", "this action is already linked to this hook and channel");
        configs.Forget(orgId);
        return await links.GetHookActionAsync(orgId, link.Id, ct) ?? link;
    }

    public Task<IReadOnlyList<HookActionLink>> CreateHookActionsAsync(string orgId, IReadOnlyList<HookActionDraft> drafts, CancellationToken ct = default) =>
        transactions.InTransactionAsync<IReadOnlyList<HookActionLink>>(async () =>
        {
            Check.AtMost("items", drafts.Count, 500, "links");
            var created = new List<HookActionLink>();
            foreach (var draft in drafts)
            {
                var link = await CheckAsync(orgId, draft, ct);
                if (await links.TryCreateHookActionAsync(link, ct)) created.Add(await links.GetHookActionAsync(orgId, link.Id, ct) ?? link);
            }
            configs.Forget(orgId);
            return created;
        }, ct);

    public async Task<HookActionLink> GetHookActionAsync(string orgId, long id, CancellationToken ct = default) =>
        await links.GetHookActionAsync(orgId, id, ct) ?? throw new NotFoundException("hook_action");

    /// <summary>The links of a hook or of an action: one of the two is required.</summary>
    public Task<Page<HookActionLink>> ListHookActionsAsync(string orgId, string? hook, long? actionId, long? channelId, ListOrder order, PageRequest page,
        CancellationToken ct = default)
    {
        if (hook is null && actionId is null) throw new ValidationException("hook_name", "hookName or actionId is required");
        var canonical = hook is null ? null : Hooks.Canonical(hook) ?? throw UnknownHook(hook);
        return links.ListHookActionsAsync(orgId, canonical, actionId, channelId, Sorted(order), page, ct);
    }

    public async Task SetHookActionPriorityAsync(string orgId, long id, int priority, CancellationToken ct = default)
    {
        if (!await links.SetHookActionPriorityAsync(orgId, id, priority, ct)) throw new NotFoundException("hook_action");
        configs.Forget(orgId);
    }

    public async Task DeleteHookActionAsync(string orgId, long id, CancellationToken ct = default)
    {
        if (!await links.DeleteHookActionAsync(orgId, id, ct)) throw new NotFoundException("hook_action");
        configs.Forget(orgId);
    }

    /// <summary>The seconds the active Wait actions of a hook add up to for a channel (links for every channel included).</summary>
    public async Task<long> TotalWaitSecondsAsync(string orgId, string? hook, long? channelId, CancellationToken ct = default)
    {
        var canonical = Hooks.Canonical(hook ?? throw new ValidationException("hook_name", "is required")) ?? throw UnknownHook(hook);
        var active = (await links.ActiveHookLinksAsync(orgId, ct)).Where(l => l.Hook == canonical && (l.ChannelId is null || l.ChannelId == channelId));
        return active.Where(l => l.Action.ActionType == ActionTypes.Wait).Sum(l => (long)(l.Action.Settings.WaitSeconds ?? 0));
    }

    private static ListOrder Sorted(ListOrder order) => SortFields.Contains(order.Field)
        ? order
        : throw new ValidationException("sort_by", $"must be one of {string.Join(", ", SortFields)}");

    private async Task<TopicActionLink> CheckAsync(string orgId, TopicActionDraft draft, CancellationToken ct)
    {
        if (draft.TopicId is null && string.IsNullOrWhiteSpace(draft.SpecialTopic))
            throw new ValidationException("topic_id", "topicID or specialTopic is required");
        Check.Line("special_topic", draft.SpecialTopic, 100);
        Check.Line("special_channel", draft.SpecialChannel, 100);
        if (draft.TopicId is { } topicId && await topics.GetAsync(orgId, topicId, ct) is null) throw new NotFoundException("topic");
        await CheckChannelAsync(orgId, draft.ChannelId, ct);
        if (await actions.GetAsync(orgId, draft.ActionId, ct) is null) throw new NotFoundException("action");
        return new TopicActionLink
        {
            OrgId = orgId, TopicId = draft.TopicId, SpecialTopic = NullIfBlank(draft.SpecialTopic), DocumentId = draft.DocumentId,
            ChannelId = draft.ChannelId, SpecialChannel = NullIfBlank(draft.SpecialChannel), ActionId = draft.ActionId, Priority = draft.Priority,
            CreatedAt = time.GetUtcNow(),
        };
    }

    private async Task<HookActionLink> CheckAsync(string orgId, HookActionDraft draft, CancellationToken ct)
    {
        var hook = Hooks.Canonical(draft.Hook ?? throw new ValidationException("hook_name", "is required")) ?? throw UnknownHook(draft.Hook);
        await CheckChannelAsync(orgId, draft.ChannelId, ct);
        if (await actions.GetAsync(orgId, draft.ActionId, ct) is null) throw new NotFoundException("action");
        return new HookActionLink
        {
            OrgId = orgId, Hook = hook, ChannelId = draft.ChannelId, ActionId = draft.ActionId, Priority = draft.Priority, CreatedAt = time.GetUtcNow(),
        };
    }

    private async Task CheckChannelAsync(string orgId, long? channelId, CancellationToken ct)
    {
        if (channelId is { } id && id != 0 && await channels.GetAsync(orgId, id, ct) is null) throw new NotFoundException("channel");
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ValidationException UnknownHook(string hook) =>
        new("hook_name", $"'{hook}' is not a hook; hooks are {string.Join(", ", Hooks.All)}");
}

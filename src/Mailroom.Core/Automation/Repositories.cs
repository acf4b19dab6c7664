using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

public interface IActionRepository
{
    /// <summary>Stores a new action and sets its id.</summary>
    Task CreateAsync(AutomationAction action, CancellationToken ct = default);
    Task<AutomationAction?> GetAsync(string orgId, long id, CancellationToken ct = default);
    Task<Page<AutomationAction>> ListAsync(string orgId, ListOrder order, PageRequest page, CancellationToken ct = default);
    Task<IReadOnlyList<AutomationAction>> ListActiveAsync(string orgId, CancellationToken ct = default);
    Task UpdateAsync(AutomationAction action, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, long id, CancellationToken ct = default);
}

public interface ITopicRepository
{
    Task CreateAsync(Topic topic, CancellationToken ct = default);
    Task<Topic?> GetAsync(string orgId, long id, CancellationToken ct = default);
    Task<Page<Topic>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default);
    Task<IReadOnlyList<Topic>> ListActiveAsync(string orgId, CancellationToken ct = default);
    Task UpdateAsync(Topic topic, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, long id, CancellationToken ct = default);
}

/// <summary>Filters of a topic-link list; null means any.</summary>
public sealed record TopicActionFilter(long? TopicId, long? ActionId, string? SpecialTopic, long? ChannelId, bool? IsActive);

public interface IActionLinkRepository
{
    /// <summary>Stores the link and sets its id; false (nothing stored) when the same combination exists.</summary>
    Task<bool> TryCreateTopicActionAsync(TopicActionLink link, CancellationToken ct = default);
    Task<TopicActionLink?> GetTopicActionAsync(string orgId, long id, CancellationToken ct = default);
    Task<Page<TopicActionLink>> ListTopicActionsAsync(string orgId, TopicActionFilter filter, ListOrder order, PageRequest page, CancellationToken ct = default);
    Task<bool> SetTopicActionPriorityAsync(string orgId, long id, int priority, CancellationToken ct = default);
    Task<bool> DeleteTopicActionAsync(string orgId, long id, CancellationToken ct = default);

    Task<bool> TryCreateHookActionAsync(HookActionLink link, CancellationToken ct = default);
    Task<HookActionLink?> GetHookActionAsync(string orgId, long id, CancellationToken ct = default);
    Task<Page<HookActionLink>> ListHookActionsAsync(string orgId, string? hook, long? actionId, long? channelId, ListOrder order, PageRequest page,
        CancellationToken ct = default);
    Task<bool> SetHookActionPriorityAsync(string orgId, long id, int priority, CancellationToken ct = default);
    Task<bool> DeleteHookActionAsync(string orgId, long id, CancellationToken ct = default);

    /// <summary>The active actions linked to a hook for a channel (links for every channel included), highest priority first.</summary>
    Task<IReadOnlyList<AutomationAction>> ActiveForHookAsync(string orgId, string hook, long? channelId, CancellationToken ct = default);
    /// <summary>Every active action linked to a hook, in priority order.</summary>
    Task<IReadOnlyList<ActiveLink>> ActiveHookLinksAsync(string orgId, CancellationToken ct = default);
    /// <summary>Every active action linked to a topic, in priority order.</summary>
    Task<IReadOnlyList<ActiveLink>> ActiveTopicLinksAsync(string orgId, CancellationToken ct = default);
}

public interface IAutomationChannelRepository
{
    /// <summary>The channel id of an inbox or phone number, made on first use.</summary>
    Task<long> IdOfAsync(string orgId, string kind, string targetId, CancellationToken ct = default);
    /// <summary>The organization's channels that still exist, each with its id (made for those that have none yet).</summary>
    Task<IReadOnlyList<AutomationChannel>> ListAsync(string orgId, CancellationToken ct = default);
    Task<AutomationChannel?> GetAsync(string orgId, long id, CancellationToken ct = default);
    /// <summary>The integer an organization is known by in the automation dialect, made on first use.</summary>
    Task<long> CustomerNumberAsync(string orgId, CancellationToken ct = default);
}

public interface IActionRunRepository
{
    /// <summary>Records a run; with <paramref name="returnId"/> sets its id (for an answer that shows it), else spares the round trip.</summary>
    Task RecordAsync(ActionRun run, bool returnId, CancellationToken ct = default);
    /// <summary>Records runs in as few statements as the database allows, without their ids.</summary>
    Task RecordAllAsync(IReadOnlyList<ActionRun> runs, CancellationToken ct = default);
    Task<Page<ActionRun>> ListAsync(string orgId, string? threadId, PageRequest page, CancellationToken ct = default);
}

/// <summary>What automations keep on threads, messages and senders.</summary>
public interface IAutomationStateRepository
{
    Task<ThreadAutomationState?> GetThreadAsync(string orgId, string threadId, CancellationToken ct = default);
    /// <summary>Sets the thread's status; false when it already had it (or the thread is gone).</summary>
    Task<bool> SetThreadStatusAsync(string orgId, string threadId, string status, DateTimeOffset at, CancellationToken ct = default);
    /// <summary>
    /// Marks the thread spam (or clears the mark) with all its messages, which leaves (or rejoins) its inbox's default
    /// lists; false when it already was so (or the thread is gone).
    /// </summary>
    Task<bool> SetThreadSpamAsync(string orgId, string threadId, bool spam, DateTimeOffset at, CancellationToken ct = default);
    Task SetThreadTopicsAsync(string orgId, string threadId, IReadOnlyList<DetectedTopic> topics, CancellationToken ct = default);
    Task SetThreadValuesAsync(string orgId, string threadId, IReadOnlyDictionary<string, string> values, CancellationToken ct = default);
    Task SetMessageSpamAsync(string orgId, string messageId, SpamVerdict verdict, CancellationToken ct = default);
    /// <summary>Records an address that wrote to the organization; true the first time.</summary>
    Task<bool> AddEndUserAsync(string orgId, string address, string? name, DateTimeOffset at, CancellationToken ct = default);
}

public sealed record DetectedTopic(long Id, string Name);

/// <summary>A thread as automations see it.</summary>
public sealed record ThreadAutomationState(string ThreadId, string? InboxId, string? InboxAddress, string? Subject, string Status, bool Spam,
    IReadOnlyList<DetectedTopic> Topics, IReadOnlyDictionary<string, string> Values);

public static class ThreadStatuses
{
    public const string Open = "open";
    public const string Closed = "closed";
}

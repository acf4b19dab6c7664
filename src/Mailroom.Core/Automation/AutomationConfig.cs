using System.Collections.Concurrent;

namespace Mailroom.Core.Automation;

/// <summary>An organization's active automations as the engine reads them for every message: hook links, topics and topic links.</summary>
public sealed record AutomationConfig(IReadOnlyList<ActiveLink> HookLinks, IReadOnlyList<Topic> Topics, IReadOnlyList<ActiveLink> TopicLinks)
{
    /// <summary>The actions of a hook for a channel (links for every channel included), highest priority first.</summary>
    public IEnumerable<ActiveLink> ForHook(string hook, long? channelId) =>
        HookLinks.Where(l => l.Hook == hook && (l.ChannelId is null || l.ChannelId == channelId));

    /// <summary>The actions of these topics for a channel, highest priority first.</summary>
    public IEnumerable<ActiveLink> ForTopics(IReadOnlyCollection<long> topicIds, long? channelId) =>
        TopicLinks.Where(l => l.TopicId is { } t && topicIds.Contains(t) && (l.ChannelId is null || l.ChannelId == channelId));
}

/// <summary>An active action linked to a hook or a topic, in priority order (highest first, then the older link).</summary>
public sealed record ActiveLink(AutomationAction Action, string? Hook, long? TopicId, long? ChannelId);

/// <summary>
/// Keeps each organization's <see cref="AutomationConfig"/> for a few seconds, so that a busy inbox does not read its
/// links and topics again for every message. A change through the API forgets the organization's copy on this node at
/// once; other nodes see it within <see cref="Lifetime"/>.
/// </summary>
public sealed class AutomationConfigCache(IActionLinkRepository links, ITopicRepository topics, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (AutomationConfig Config, DateTimeOffset Until)> _configs = new();

    public async Task<AutomationConfig> GetAsync(string orgId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_configs.TryGetValue(orgId, out var cached) && cached.Until > now) return cached.Config;
        var config = new AutomationConfig(await links.ActiveHookLinksAsync(orgId, ct), await topics.ListActiveAsync(orgId, ct),
            await links.ActiveTopicLinksAsync(orgId, ct));
        _configs[orgId] = (config, now + Lifetime);
        return config;
    }

    public void Forget(string orgId) => _configs.TryRemove(orgId, out _);
}

using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

public sealed record TopicDraft(string? Name, string? Description, List<string>? Keywords, TopicRules? Rules, bool IsActive);

/// <summary>The use cases of topics: create, change, delete, list; rules checked on save.</summary>
public sealed class TopicService(ITopicRepository topics, AutomationConfigCache configs, TimeProvider time)
{
    public async Task<Topic> CreateAsync(string orgId, TopicDraft draft, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var topic = new Topic { OrgId = orgId, Name = "", CreatedAt = now };
        Apply(topic, draft, now);
        await topics.CreateAsync(topic, ct);
        configs.Forget(orgId);
        return topic;
    }

    public async Task<Topic> GetAsync(string orgId, long id, CancellationToken ct = default) =>
        await topics.GetAsync(orgId, id, ct) ?? throw new NotFoundException("topic");

    public async Task UpdateAsync(string orgId, long id, TopicDraft draft, CancellationToken ct = default)
    {
        var topic = await GetAsync(orgId, id, ct);
        Apply(topic, draft, time.GetUtcNow());
        await topics.UpdateAsync(topic, ct);
        configs.Forget(orgId);
    }

    public async Task DeleteAsync(string orgId, long id, CancellationToken ct = default)
    {
        if (!await topics.DeleteAsync(orgId, id, ct)) throw new NotFoundException("topic");
        configs.Forget(orgId);
    }

    public Task<Page<Topic>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) => topics.ListAsync(orgId, page, ct);

    private static void Apply(Topic topic, TopicDraft draft, DateTimeOffset now)
    {
        topic.Name = draft.Name?.Trim() ?? "";
        topic.Description = draft.Description;
        topic.Keywords = (draft.Keywords ?? []).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        topic.Rules = draft.Rules ?? new TopicRules();
        topic.IsActive = draft.IsActive;
        topic.UpdatedAt = now;
        TopicDetection.Check(topic);
    }
}

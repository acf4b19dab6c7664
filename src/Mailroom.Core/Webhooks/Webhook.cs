namespace Mailroom.Core.Webhooks;

/// <summary>An HTTP endpoint that receives signed events of the chosen types.</summary>
public sealed class Webhook
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Url { get; set; }
    public List<string> EventTypes { get; set; } = [];
    /// <summary>Empty means every inbox of the organization.</summary>
    public List<string> InboxIds { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public string? ClientId { get; init; }
    /// <summary>The signing secret sealed by <see cref="Security.SecretBox"/>.</summary>
    public required string SecretSealed { get; init; }
    /// <summary>Start of the current run of failed deliveries; the endpoint is disabled when it lasts too long.</summary>
    public DateTimeOffset? FailingSince { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool Matches(string eventType, string? inboxId) =>
        Enabled && EventTypes.Contains(eventType) && (InboxIds.Count == 0 || (inboxId is not null && InboxIds.Contains(inboxId)));
}

public interface IWebhookRepository
{
    Task CreateAsync(Webhook webhook, CancellationToken ct = default);
    Task<Webhook?> GetAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>The organization's (first) webhook made with this client id.</summary>
    Task<Webhook?> FindByClientIdAsync(string orgId, string clientId, CancellationToken ct = default);
    Task<Common.Page<Webhook>> ListAsync(string orgId, Common.PageRequest page, CancellationToken ct = default);
    /// <summary>Inside a transaction the answer is read once per organization: a batch that stores many messages announces many events.</summary>
    Task<IReadOnlyList<Webhook>> ListEnabledAsync(string orgId, CancellationToken ct = default);
    Task UpdateAsync(Webhook webhook, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default);
}

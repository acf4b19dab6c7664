using System.Security.Cryptography;
using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Security;

namespace Mailroom.Core.Webhooks;

public sealed record WebhookChanges(string? Url, IReadOnlyList<string>? EventTypes, IReadOnlyList<string>? InboxIds, bool? Enabled);

/// <summary>A webhook as created: the only moment its signing secret is shown.</summary>
public sealed record CreatedWebhook(Webhook Webhook, string Secret);

public sealed class WebhookService(IWebhookRepository webhooks, IInboxRepository inboxes, SecretBox secrets, IOutboundTargetPolicy targets, TimeProvider time)
{
    public async Task<CreatedWebhook> CreateAsync(string orgId, string? url, IReadOnlyList<string>? eventTypes,
        IReadOnlyList<string>? inboxIds, string? clientId, CancellationToken ct = default)
    {
        var target = await CheckUrlAsync(Check.Required("url", url, 2048), ct);
        if (eventTypes is null) throw new ValidationException("event_types", "is required");
        var types = CheckEventTypes(eventTypes);
        var filter = await CheckInboxIdsAsync(orgId, inboxIds ?? [], ct);
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var webhook = new Webhook
        {
            Id = Ids.New(Ids.Webhook, time), OrgId = orgId, Url = target, EventTypes = types, InboxIds = filter,
            ClientId = Check.Line("client_id", clientId), SecretSealed = secrets.Seal(secret, SecretPurpose.WebhookSecret),
            CreatedAt = now, UpdatedAt = now,
        };
        await webhooks.CreateAsync(webhook, ct);
        return new CreatedWebhook(webhook, secret);
    }

    public async Task<Webhook> UpdateAsync(string orgId, string id, WebhookChanges changes, CancellationToken ct = default)
    {
        var webhook = await webhooks.GetAsync(orgId, id, ct) ?? throw new NotFoundException("webhook");
        if (changes.Url is not null) webhook.Url = await CheckUrlAsync(Check.Required("url", changes.Url, 2048), ct);
        if (changes.EventTypes is not null) webhook.EventTypes = CheckEventTypes(changes.EventTypes);
        if (changes.InboxIds is not null) webhook.InboxIds = await CheckInboxIdsAsync(orgId, changes.InboxIds, ct);
        if (changes.Enabled is { } enabled)
        {
            webhook.Enabled = enabled;
            if (enabled) webhook.FailingSince = null;
        }
        webhook.UpdatedAt = time.GetUtcNow();
        await webhooks.UpdateAsync(webhook, ct);
        return webhook;
    }

    private async Task<string> CheckUrlAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ValidationException("url", "must be an absolute http or https URL");
        if (!string.IsNullOrEmpty(uri.UserInfo)) throw new ValidationException("url", "must not carry credentials");
        if (await targets.RefusalAsync(uri, ct) is { } refusal) throw new ValidationException("url", refusal);
        return uri.ToString();
    }

    private static List<string> CheckEventTypes(IReadOnlyList<string> eventTypes)
    {
        if (eventTypes.Count == 0) throw new ValidationException("event_types", "must name at least one event type");
        foreach (var type in eventTypes)
            if (!EventTypes.All.Contains(type))
                throw new ValidationException("event_types", $"'{type}' is not an event type; known types are {string.Join(", ", EventTypes.All)}");
        return eventTypes.Distinct().ToList();
    }

    private async Task<List<string>> CheckInboxIdsAsync(string orgId, IReadOnlyList<string> inboxIds, CancellationToken ct)
    {
        foreach (var inboxId in inboxIds)
            if (await inboxes.GetAsync(orgId, inboxId, ct) is null)
                throw new ValidationException("inbox_ids", $"inbox {inboxId} was not found");
        return inboxIds.Distinct().ToList();
    }
}

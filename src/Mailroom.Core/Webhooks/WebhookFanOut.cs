using Mailroom.Core.Common;
using Mailroom.Core.Events;

namespace Mailroom.Core.Webhooks;

/// <summary>One pending delivery for each enabled webhook of the organization that subscribes to the event's type and inbox.</summary>
public sealed class WebhookFanOut(IWebhookRepository webhooks, IWebhookDeliveryRepository deliveries, TimeProvider time)
{
    public async Task FanOutAsync(MailEvent mailEvent, CancellationToken ct)
    {
        foreach (var webhook in await webhooks.ListEnabledAsync(mailEvent.OrgId, ct))
        {
            if (!webhook.Matches(mailEvent.Type, mailEvent.InboxId)) continue;
            await deliveries.EnqueueAsync(new WebhookDelivery
            {
                Id = Ids.New(Ids.WebhookDelivery, time), OrgId = mailEvent.OrgId, WebhookId = webhook.Id, EventId = mailEvent.Id,
                NextAttemptAt = mailEvent.CreatedAt, CreatedAt = mailEvent.CreatedAt, UpdatedAt = mailEvent.CreatedAt,
            }, ct);
        }
    }
}

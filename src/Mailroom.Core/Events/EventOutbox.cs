using Mailroom.Core.Common;
using Mailroom.Core.Webhooks;

namespace Mailroom.Core.Events;

/// <summary>Writes the JSON a subscriber outside the process receives for an event; the dialect that owns webhooks and the live stream writes it.</summary>
public interface IEventPayloadWriter
{
    string Write(DomainEvent domainEvent, string eventId, DateTimeOffset createdAt);
}

/// <summary>
/// The outbox: each domain event becomes one <c>events</c> row (the live stream reads it, resuming by sequence)
/// and one pending delivery per matching webhook, in the transaction of the change.
/// </summary>
public sealed class EventOutbox(IEventRepository events, IEventPayloadWriter payloads, WebhookFanOut webhooks, TimeProvider time) : IDomainEventSubscriber
{
    public async Task OnEventAsync(DomainEvent domainEvent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.Event, time);
        var mailEvent = new MailEvent
        {
            Id = id, OrgId = domainEvent.OrgId, Type = domainEvent.Type, InboxId = domainEvent.InboxId,
            PayloadJson = payloads.Write(domainEvent, id, now), CreatedAt = now,
        };
        await events.AppendAsync(mailEvent, ct);
        await webhooks.FanOutAsync(mailEvent, ct);
    }
}

namespace Mailroom.Core.Events;

/// <summary>
/// Hands a domain event to every subscriber (the event outbox first: it is registered first). Call it inside the
/// transaction of the change, so that the change and what its subscribers write commit together.
/// </summary>
public sealed class EventPublisher(IEnumerable<IDomainEventSubscriber> subscribers)
{
    private readonly IDomainEventSubscriber[] _subscribers = subscribers.ToArray();

    public async Task PublishAsync(DomainEvent domainEvent, CancellationToken ct = default)
    {
        foreach (var subscriber in _subscribers) await subscriber.OnEventAsync(domainEvent, ct);
    }
}

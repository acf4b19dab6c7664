using Mailroom.Core.Events;
using Mailroom.Core.Messages;

namespace Mailroom.Core.Drafts;

/// <summary>
/// The stale rule, as a subscriber to <see cref="MessageReceived"/>: inbound mail reaching a thread makes that thread's
/// pending drafts stale (they answer mail that is no longer the latest), in the transaction that files the mail, with a
/// <c>draft.stale</c> event each. Approving or sending a stale draft is refused; its cards stay up and say so when used.
/// </summary>
/// <param name="publisher">Resolved when first needed: the publisher holds the subscribers, this one among them.</param>
public sealed class DraftStaleness(IDraftRepository drafts, Func<EventPublisher> publisher, TimeProvider time) : IDomainEventSubscriber
{
    public async Task OnEventAsync(DomainEvent domainEvent, CancellationToken ct)
    {
        if (domainEvent is not MessageReceived { Message: { Direction: MessageDirection.Inbound } message } || message.ThreadId.Length == 0) return;
        foreach (var draft in await drafts.ListPendingInThreadAsync(message.ThreadId, ct))
        {
            if (draft.BasedOnMessageId == message.Id) continue;
            draft.State = DraftState.Stale;
            draft.EscalationDueAt = null;
            draft.UpdatedAt = time.GetUtcNow();
            await drafts.UpdateAsync(draft, ct);
            await publisher().PublishAsync(new DraftStale(draft), ct);
        }
    }
}

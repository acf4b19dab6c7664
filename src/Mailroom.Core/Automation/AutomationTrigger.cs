using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Messages;

namespace Mailroom.Core.Automation;

/// <summary>
/// Subscribes automations to received mail: each inbound message queues one automation job in the transaction that
/// stored it, so the SMTP reply never waits for an action, and a crash after the commit loses none.
/// </summary>
public sealed class AutomationTrigger(IAutomationJobRepository jobs, IAutomationQueueSignal signal, TimeProvider time) : IDomainEventSubscriber
{
    public const string JobIdPrefix = "auj";

    public async Task OnEventAsync(DomainEvent domainEvent, CancellationToken ct)
    {
        if (domainEvent is not MessageReceived { Message: { Direction: MessageDirection.Inbound } message }) return;
        var now = time.GetUtcNow();
        await jobs.EnqueueAsync(new AutomationJob
        {
            Id = Ids.New(JobIdPrefix, time), OrgId = message.OrgId, Kind = JobKinds.Inbound, ThreadId = message.ThreadId, MessageId = message.Id,
            InboxId = message.InboxId, DueAt = now, CreatedAt = now, UpdatedAt = now,
        }, ct);
        signal.Notify();
    }
}

using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Messages;

namespace Mailroom.Core.Automation;

/// <summary>
/// Subscribes automations to received mail: each inbound message queues one automation job in the transaction that
/// stored it, so the SMTP reply never waits for an action, and a crash after the commit loses none. A draft escalated
/// to its secondary approval channel queues the escalation hooks of its thread the same way.
/// </summary>
public sealed class AutomationTrigger(IAutomationJobRepository jobs, IAutomationQueueSignal signal, TimeProvider time) : IDomainEventSubscriber
{
    public const string JobIdPrefix = "auj";

    public async Task OnEventAsync(DomainEvent domainEvent, CancellationToken ct)
    {
        if (domainEvent is DraftEscalated { Draft: { ThreadId: { } threadId } draft } escalated)
        {
            await QueueAsync(draft.OrgId, escalated.Announced ? JobKinds.Escalated : JobKinds.EscalationFailed, threadId, draft.BasedOnMessageId,
                draft.InboxId, ct);
            return;
        }
        if (domainEvent is not MessageReceived { Message: { Direction: MessageDirection.Inbound } message }) return;
        var now = time.GetUtcNow();
        await jobs.EnqueueAsync(new AutomationJob
        {
            Id = Ids.New(JobIdPrefix, time), OrgId = message.OrgId, Kind = JobKinds.Inbound, ThreadId = message.ThreadId, MessageId = message.Id,
            InboxId = message.InboxId, DueAt = now, CreatedAt = now, UpdatedAt = now,
        }, ct);
        signal.Notify();
    }

    private async Task QueueAsync(string orgId, string kind, string threadId, string? messageId, string? inboxId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await jobs.EnqueueAsync(new AutomationJob
        {
            Id = Ids.New(JobIdPrefix, time), OrgId = orgId, Kind = kind, ThreadId = threadId, MessageId = messageId, InboxId = inboxId, DueAt = now,
            CreatedAt = now, UpdatedAt = now,
        }, ct);
        signal.Notify();
    }
}

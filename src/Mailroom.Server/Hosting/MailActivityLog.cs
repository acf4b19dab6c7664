using Mailroom.Core.Events;

namespace Mailroom.Server.Hosting;

/// <summary>
/// One log line per message event, with its ids, so that the default log follows the mail. It runs inside the
/// transaction of the change like every subscriber; a change that then rolls back is followed by its failure's own line.
/// Bounces are logged where the remote reply is known (the delivery processor), not here.
/// </summary>
public sealed class MailActivityLog(ILogger<MailActivityLog> logger) : IDomainEventSubscriber
{
    public Task OnEventAsync(DomainEvent domainEvent, CancellationToken ct)
    {
        switch (domainEvent)
        {
            case MessageReceived { Message: var m }:
                logger.LogInformation("message {MessageId} received in inbox {InboxId}, thread {ThreadId}", m.Id, m.InboxId, m.ThreadId);
                break;
            case MessageSent { Message: var m }:
                logger.LogInformation("message {MessageId} queued from inbox {InboxId}, thread {ThreadId}", m.Id, m.InboxId, m.ThreadId);
                break;
            case MessageDelivered { Message: var m }:
                logger.LogInformation("message {MessageId} delivered from inbox {InboxId}", m.Id, m.InboxId);
                break;
            case MessageRejected { Message: var m }:
                logger.LogInformation("message {MessageId} rejected by the policy of inbox {InboxId}", m.Id, m.InboxId);
                break;
        }
        return Task.CompletedTask;
    }
}

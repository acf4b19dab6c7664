using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Mime;

namespace Mailroom.Core.Identities;

/// <summary>Work an identity started that a client follows by id.</summary>
public sealed record IdentityTask(string Id, string OrgId, string? InboxId, string Kind, string? MessageId, string? Failure, DateTimeOffset CreatedAt);

public static class TaskState
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>A task and where it stands now.</summary>
public sealed record TaskReport(IdentityTask Task, string State, string? Detail);

public interface IIdentityTaskRepository
{
    Task CreateAsync(IdentityTask task, CancellationToken ct = default);
    Task<IdentityTask?> GetAsync(string orgId, string id, CancellationToken ct = default);
    Task CompleteAsync(string id, string? messageId, string? failure, CancellationToken ct = default);
    /// <summary>The identity's tasks created at or after <paramref name="since"/>, oldest first (the rate limit's window).</summary>
    Task<IReadOnlyList<DateTimeOffset>> CreatedSinceAsync(string inboxId, DateTimeOffset since, CancellationToken ct = default);
}

/// <summary>
/// A deliverability test: a real mail from the identity, built, DKIM-signed and delivered like any other, followed
/// through a task. At most <see cref="PerMinute"/> an identity in any minute.
/// </summary>
public sealed class TestEmails(IInboxRepository inboxes, IIdentityTaskRepository tasks, IMessageRepository messages, MessageSender sender,
    ITransactionRunner transactions, TimeProvider time)
{
    public const string Kind = "test_email";
    public const int PerMinute = 10;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public async Task<IdentityTask> SendAsync(string orgId, string identityId, string? recipient, CancellationToken ct = default)
    {
        var address = Check.Required("recipient_email", recipient, 320);
        if (!MailboxAddress.TryParse(address, out var to) || to.Address != address)
            throw new ValidationException("recipient_email", "must be an email address");
        var inbox = await inboxes.GetAsync(orgId, identityId, ct) ?? throw new NotFoundException("identity");
        if (inbox.Status != InboxStatus.Active)
            throw new NotActiveException("identity_id", $"{inbox.EmailAddress} is {inbox.Status} and cannot send", ErrorCodes.IdentityNotActive);
        var now = time.GetUtcNow();
        var task = new IdentityTask(Ids.New(Ids.Task, time), orgId, inbox.Id, Kind, null, null, now);
        await transactions.InTransactionAsync(async () =>
        {
            var recent = await tasks.CreatedSinceAsync(inbox.Id, now - Window, ct);
            if (recent.Count >= PerMinute)
                throw new TooManyException("identity_id", $"at most {PerMinute} test emails a minute per identity", recent[^PerMinute] + Window - now);
            await tasks.CreateAsync(task, ct);
            return true;
        }, ct);
        var mail = new OutgoingMail
        {
            To = [to], Subject = $"Mailroom test email from {inbox.EmailAddress}", IsDeliverabilityTest = true,
            Text = $"This is a test email from {inbox.EmailAddress}, sent through Mailroom to check that mail from this identity arrives " +
                   "and passes DKIM.\r\n\r\nNo reply is needed.",
        };
        try
        {
            var sent = await sender.SendAsync(inbox, mail, null, ct);
            await tasks.CompleteAsync(task.Id, sent.MessageId, null, ct);
            return task with { MessageId = sent.MessageId };
        }
        catch (MailroomException e)
        {
            await tasks.CompleteAsync(task.Id, null, e.Detail, CancellationToken.None);
            throw;
        }
    }

    public async Task<TaskReport> GetAsync(string orgId, string taskId, CancellationToken ct = default)
    {
        var task = await tasks.GetAsync(orgId, taskId, ct) ?? throw new NotFoundException("task");
        if (task.Failure is not null) return new TaskReport(task, TaskState.Failed, task.Failure);
        if (task.MessageId is null) return new TaskReport(task, TaskState.Queued, null);
        var message = task.InboxId is null ? null : await messages.GetAsync(orgId, task.InboxId, task.MessageId, ct);
        if (message is null) return new TaskReport(task, TaskState.Failed, "the identity or its message was deleted");
        return message.Status switch
        {
            MessageStatus.Delivered => new TaskReport(task, TaskState.Delivered, null),
            MessageStatus.Sent => new TaskReport(task, TaskState.Sent, null),
            MessageStatus.Bounced or MessageStatus.Rejected => new TaskReport(task, TaskState.Failed, $"the message {message.Status}"),
            _ => new TaskReport(task, TaskState.Queued, null),
        };
    }
}

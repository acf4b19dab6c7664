using System.Text.RegularExpressions;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;

namespace Mailroom.Core.Threads;

/// <summary>
/// Puts a message into a thread of its inbox: by Message-ID through In-Reply-To and References first; by subject
/// only when the message carries no threading headers at all and answers a recent thread (a <c>Re:</c>); otherwise a
/// new thread. A message whose headers point at mail we do not hold starts a new thread.
/// </summary>
public sealed partial class Threading(IThreadRepository threads, IMessageRepository messages, TimeProvider time)
{
    public static readonly TimeSpan SubjectWindow = TimeSpan.FromDays(30);

    [GeneratedRegex(@"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|r|tr)(\[\d+\])?\s*:\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefixes();

    [GeneratedRegex(@"^\s*(re|aw|sv|antw|r)(\[\d+\])?\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefix();

    public static string NormalizeSubject(string? subject) =>
        Regex.Replace(ReplyPrefixes().Replace(subject ?? "", ""), @"\s+", " ").Trim().ToLowerInvariant();

    public async Task<MailThread> ThreadForAsync(Inbox inbox, string? inReplyTo, IReadOnlyList<string> references, string? subject,
        CancellationToken ct = default)
    {
        var (orgId, inboxId) = (inbox.OrgId, inbox.Id);
        var pointers = references.Append(inReplyTo).OfType<string>().Where(id => id.Length > 0).Distinct().ToList();
        if (pointers.Count > 0)
        {
            if (await messages.FindThreadByRfcIdsAsync(inboxId, pointers, ct) is { } threadId
                && await threads.GetAsync(orgId, inboxId, threadId, ct) is { } byHeaders)
                return byHeaders;
        }
        else if (subject is not null && ReplyPrefix().IsMatch(subject)
                 && await threads.FindRecentBySubjectAsync(inboxId, NormalizeSubject(subject), time.GetUtcNow() - SubjectWindow, ct) is { } bySubject)
        {
            return bySubject;
        }

        // A new thread is written together with its first message, by AddAsync.
        var now = time.GetUtcNow();
        return new MailThread
        {
            Id = Ids.New(Ids.Thread, time), OrgId = orgId, InboxId = inboxId, InboxAddress = inbox.EmailAddress, Subject = subject,
            NormalizedSubject = NormalizeSubject(subject), LastActivityAt = now, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>
    /// Stores the message in its thread and brings the thread's counters up to date. Call it inside a transaction:
    /// an existing thread is read again under a row lock, so concurrent additions on several nodes do not lose counts;
    /// a new thread is inserted with its first message.
    /// </summary>
    public async Task AddAsync(MailThread threadSeen, Message message, IReadOnlyList<Attachment> attachments, CancellationToken ct = default)
    {
        var existing = threadSeen.Stored;
        var thread = existing ? await threads.LockAsync(threadSeen.Id, ct) ?? threadSeen : threadSeen;
        message.ThreadId = thread.Id;
        // Read under the thread's lock: marking the thread spam takes the same lock, so the message is counted on its side.
        message.InSpamThread = thread.Spam;
        thread.MessageCount++;
        thread.Size += message.Size;
        thread.Subject ??= message.Subject;
        thread.Preview = message.Preview;
        thread.LastMessageId = message.Id;
        thread.LastActivityAt = !existing || message.Timestamp > thread.LastActivityAt ? message.Timestamp : thread.LastActivityAt;
        if (message.Direction == MessageDirection.Inbound) thread.ReceivedAt = message.Timestamp;
        else thread.SentAt = message.Timestamp;
        if (message.From is { } from && !thread.Senders.Contains(from)) thread.Senders.Add(from);
        foreach (var recipient in message.To.Concat(message.Cc))
            if (!thread.Recipients.Contains(recipient)) thread.Recipients.Add(recipient);
        foreach (var label in message.Labels)
            if (!thread.Labels.Contains(label)) thread.Labels.Add(label);
        thread.UpdatedAt = time.GetUtcNow();
        if (!existing) await threads.CreateAsync(thread, ct);
        await messages.CreateAsync(message, attachments, ct);
        if (existing) await threads.UpdateAsync(thread, ct);
    }
}

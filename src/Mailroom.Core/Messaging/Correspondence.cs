using System.Globalization;
using System.Net;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Mime;

namespace Mailroom.Core.Messaging;

/// <summary>What a reply adds to the message it answers.</summary>
public sealed record ReplyContent(string? Text, string? Html, IReadOnlyList<MailboxAddress> Cc, List<string> Labels, List<OutgoingFile> Attachments);

/// <summary>What a forward adds to the message it passes on; the original's attachments go with it.</summary>
public sealed record ForwardContent(IReadOnlyList<MailboxAddress> To, IReadOnlyList<MailboxAddress> Cc, string? Text, string? Html, List<string> Labels);

/// <summary>
/// The use cases of an inbox's correspondence: send, reply, reply-all, forward and labels. Each finds the inbox (and the
/// message answered) in the caller's organization, composes the outgoing mail and hands it to the <see cref="MessageSender"/>.
/// An idempotency key is scoped to the operation and the message it answers.
/// </summary>
public sealed class Correspondence(IInboxRepository inboxes, IMessageRepository messages, IBlobStore blobs, MessageSender sender, TimeProvider time)
{
    public async Task<SendResult> SendAsync(string orgId, string inboxId, OutgoingMail mail, string? idempotencyKey, CancellationToken ct)
    {
        var inbox = await InboxAsync(orgId, inboxId, ct);
        return await sender.SendAsync(inbox, mail, Scoped("send", idempotencyKey), ct);
    }

    /// <summary>Answers the sender (its Reply-To first); with <paramref name="all"/> every other recipient too.</summary>
    public async Task<SendResult> ReplyAsync(string orgId, string inboxId, string messageId, ReplyContent content, bool all, string? idempotencyKey,
        CancellationToken ct)
    {
        var inbox = await InboxAsync(orgId, inboxId, ct);
        var original = await OriginalAsync(inbox, messageId, ct);
        var to = new List<MailboxAddress> { ReplyTarget(original) };
        var cc = new List<MailboxAddress>();
        if (all)
        {
            to.AddRange(original.To.Select(a => new MailboxAddress(null, a)));
            cc.AddRange(original.Cc.Select(a => new MailboxAddress(null, a)));
        }
        // Everyone once, never the inbox itself.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { inbox.EmailAddress };
        var distinctTo = to.Where(a => seen.Add(a.Address)).ToList();
        var distinctCc = cc.Concat(content.Cc).Where(a => seen.Add(a.Address)).ToList();
        if (distinctTo.Count == 0 && distinctCc.Count == 0) throw new ValidationException("to", "the message has nobody else to reply to");
        var mail = new OutgoingMail
        {
            To = distinctTo, Cc = distinctCc, Subject = Prefixed("Re:", original.Subject), Text = content.Text, Html = content.Html,
            Labels = content.Labels, Attachments = content.Attachments, InReplyTo = original.RfcMessageId,
            References = original.References.Concat(original.RfcMessageId is null ? [] : [original.RfcMessageId]).ToList(),
            ThreadId = original.ThreadId,
        };
        return await sender.SendAsync(inbox, mail, Scoped((all ? "reply-all:" : "reply:") + messageId, idempotencyKey), ct);
    }

    /// <summary>Passes a message on with its attachments; without a text or html of its own, the original is quoted under a forward header.</summary>
    public async Task<SendResult> ForwardAsync(string orgId, string inboxId, string messageId, ForwardContent content, string? idempotencyKey,
        CancellationToken ct)
    {
        var inbox = await InboxAsync(orgId, inboxId, ct);
        var original = await OriginalAsync(inbox, messageId, ct);
        var files = new List<OutgoingFile>();
        foreach (var attachment in await messages.ListAttachmentsAsync(original.Id, ct))
        {
            await using var stream = await blobs.OpenAsync(attachment.BlobKey, ct);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct);
            files.Add(new OutgoingFile(attachment.FileName, attachment.ContentType, buffer.ToArray(), attachment.ContentId, attachment.Disposition == "inline"));
        }
        var mail = new OutgoingMail
        {
            To = content.To.ToList(), Cc = content.Cc.ToList(), Subject = Prefixed("Fwd:", original.Subject), Labels = content.Labels,
            Text = content.Text ?? (content.Html is null ? ForwardedText(original) : null),
            Html = content.Html ?? (content.Text is null && original.Html is not null ? ForwardedHtml(original) : null),
            Attachments = files,
        };
        return await sender.SendAsync(inbox, mail, Scoped("forward:" + messageId, idempotencyKey), ct);
    }

    /// <summary>Replaces a message's labels and answers it with its attachments.</summary>
    public async Task<(Message Message, IReadOnlyList<Attachment> Attachments)> SetLabelsAsync(string orgId, string inboxId, string messageId,
        IReadOnlyCollection<string?> labels, CancellationToken ct)
    {
        var checkedLabels = Labels.Check(labels);
        var message = await messages.GetAsync(orgId, inboxId, messageId, ct) ?? throw new NotFoundException("message");
        message.Labels = checkedLabels;
        message.UpdatedAt = time.GetUtcNow();
        await messages.UpdateLabelsAsync(message, ct);
        return (message, await messages.ListAttachmentsAsync(message.Id, ct));
    }

    private async Task<Inbox> InboxAsync(string orgId, string inboxId, CancellationToken ct) =>
        await inboxes.GetAsync(orgId, inboxId, ct) ?? throw new NotFoundException("inbox");

    private async Task<Message> OriginalAsync(Inbox inbox, string messageId, CancellationToken ct) =>
        await messages.GetAsync(inbox.OrgId, inbox.Id, messageId, ct) ?? throw new NotFoundException("message");

    private static string? Scoped(string operation, string? key) => key is null ? null : operation + ":" + key;

    /// <summary>Who a reply goes to: the Reply-To of a received message, else its sender; for our own message, its first recipient.</summary>
    private static MailboxAddress ReplyTarget(Message original)
    {
        if (original.Direction == MessageDirection.Outbound && original.To.Count > 0) return new MailboxAddress(null, original.To[0]);
        if (original.ReplyTo.Count > 0) return new MailboxAddress(null, original.ReplyTo[0]);
        if (original.From is not null && MailboxAddress.TryParse(original.From, out var from)) return from;
        throw new ValidationException("message_id", "the message has no sender address to reply to");
    }

    private static string Prefixed(string prefix, string? subject) =>
        subject is null ? prefix.TrimEnd(':') + ":" : subject.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? subject : $"{prefix} {subject}";

    private static string ForwardedHeader(Message original, string lineBreak) => string.Join(lineBreak,
        "---------- Forwarded message ---------",
        $"From: {original.From}",
        $"Date: {original.Timestamp.UtcDateTime.ToString("ddd, d MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}",
        $"Subject: {original.Subject}",
        $"To: {string.Join(", ", original.To)}");

    private static string ForwardedText(Message original) => ForwardedHeader(original, "\n") + "\n\n" + (original.Text ?? "");

    private static string ForwardedHtml(Message original) =>
        "<p>" + WebUtility.HtmlEncode(ForwardedHeader(original, "\n")).Replace("\n", "<br>") + "</p>" + original.Html;
}

using System.Text.Json;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Mime;

namespace Mailroom.Core.Messaging;

/// <summary>What a send answers: the stored message and its thread.</summary>
public sealed record SendResult(string MessageId, string ThreadId);

/// <summary>Policy refused a message before anything was sent; the message is kept with status <c>rejected</c>.</summary>
public sealed class MessageRejectedException(ErrorKind kind, string detail, SendResult result) : MailroomException(kind, "inbox", detail)
{
    public SendResult Result { get; } = result;
}

/// <summary>Signs a built message for its sending domain (DKIM); the bytes it returns are what is stored and sent.</summary>
public interface IMessageSigner
{
    Task<byte[]> SignAsync(string domain, byte[] message, CancellationToken ct);
}

/// <summary>Wakes the delivery workers of this process when a message is queued, instead of at their next poll.</summary>
public interface IOutboundQueueSignal
{
    void Notify();
}

/// <summary>How long a queued message is retried before it bounces, and how many attachment bytes one message may carry.</summary>
public sealed record OutboundSettings(TimeSpan RetryWindow, long MaxAttachmentBytes);

/// <summary>
/// Sends mail from an inbox, in the steps the design gives: check the inbox and its policy, build the MIME message,
/// sign it, store it in its thread, queue it for delivery and announce <c>message.sent</c> — the last three in one
/// transaction, together with the idempotency record.
/// </summary>
public sealed class MessageSender(
    IThreadRepository threads, Threading threading, IOutboundDeliveryRepository queue, EventPublisher events,
    ITransactionRunner transactions, IBlobStore blobs, IIdempotencyRepository idempotency, IMessageSigner signer, OutboundSettings settings,
    IOutboundQueueSignal signal, TimeProvider time)
{
    /// <param name="idempotencyKey">The caller's key, already scoped to the operation; a repeat answers the first result.</param>
    public async Task<SendResult> SendAsync(Inbox inbox, OutgoingMail mail, string? idempotencyKey, CancellationToken ct)
    {
        var scope = "send:" + inbox.Id;
        if (idempotencyKey is not null && await idempotency.FindAsync(inbox.OrgId, scope, idempotencyKey, ct) is { } earlier)
            return JsonSerializer.Deserialize<SendResult>(earlier)!;
        if (!mail.AllRecipients.Any()) throw new ValidationException("to", "at least one recipient is required");
        // Past these the message would be built and then fail to read back; a forward counts the original's attachments.
        Check.AtMost("headers", mail.Headers.Count, OutgoingMail.MaxHeaders, "headers");
        Check.AtMost("attachments", mail.Attachments.Count, OutgoingMail.MaxAttachments, "attachments");

        var now = time.GetUtcNow();
        var rejection = PolicyRefusal(inbox, mail);
        var raw = await signer.SignAsync(inbox.Domain, Build(inbox, mail, now), ct);
        var parsed = MimeMessage.Parse(raw);
        var messageId = Ids.New(Ids.Message, time);
        var rawKey = await blobs.PutAsync("raw", new MemoryStream(raw), ct);
        var attachments = new List<Attachment>();
        foreach (var file in mail.Attachments)
        {
            attachments.Add(new Attachment
            {
                Id = Ids.New(Ids.Attachment, time), OrgId = inbox.OrgId, MessageId = messageId, FileName = file.FileName, ContentType = file.ContentType,
                Disposition = file.Inline ? "inline" : "attachment", ContentId = file.ContentId, Size = file.Content.LongLength,
                BlobKey = await blobs.PutAsync("att", new MemoryStream(file.Content), ct), CreatedAt = now,
            });
        }
        var message = new Message
        {
            Id = messageId, OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Outbound,
            Status = rejection is null ? MessageStatus.Queued : MessageStatus.Rejected,
            RfcMessageId = parsed.MessageId, InReplyTo = mail.InReplyTo, References = mail.References, From = Sender(inbox).ToString(),
            To = mail.To.Select(a => a.Address).ToList(), Cc = mail.Cc.Select(a => a.Address).ToList(), Bcc = mail.Bcc.Select(a => a.Address).ToList(),
            ReplyTo = mail.ReplyTo.Select(a => a.Address).ToList(), Subject = mail.Subject, Preview = parsed.Preview, Text = parsed.TextBody,
            Html = parsed.HtmlBody, Headers = parsed.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList(),
            Labels = mail.Labels, Size = raw.LongLength, RawBlobKey = rawKey, Timestamp = now, CreatedAt = now, UpdatedAt = now,
        };

        SendResult result;
        try
        {
            result = await Store(inbox, mail, idempotencyKey, scope, message, attachments, rejection, now, ct);
        }
        catch (IdempotencyKeyTaken)
        {
            // Another request with this key (on this node or another) committed first: answer what it answered, as a
            // retry would, and drop this attempt's blobs, whose rows rolled back.
            foreach (var key in attachments.Select(a => a.BlobKey).Prepend(rawKey)) await blobs.DeleteAsync(key, ct);
            return JsonSerializer.Deserialize<SendResult>(await idempotency.FindAsync(inbox.OrgId, scope, idempotencyKey!, ct)
                                                          ?? throw new InvalidOperationException("an idempotency key taken by a commit has no answer"))!;
        }

        if (rejection is { } refusal) throw new MessageRejectedException(refusal.Kind, refusal.Detail, result);
        signal.Notify();
        return result;
    }

    /// <summary>Raised inside the transaction to roll it back when another request took the idempotency key first.</summary>
    private sealed class IdempotencyKeyTaken : Exception;

    private Task<SendResult> Store(Inbox inbox, OutgoingMail mail, string? idempotencyKey, string scope, Message message, List<Attachment> attachments,
        (ErrorKind Kind, string Detail)? rejection, DateTimeOffset now, CancellationToken ct) =>
        transactions.InTransactionAsync(async () =>
        {
            // The key first, before any row this send locks, so that a request that waits for it holds nothing the
            // request ahead of it needs.
            if (idempotencyKey is not null && !await idempotency.TryTakeAsync(inbox.OrgId, scope, idempotencyKey, now, ct))
                throw new IdempotencyKeyTaken();
            var thread = mail.ThreadId is not null && await threads.GetAsync(inbox.OrgId, inbox.Id, mail.ThreadId, ct) is { } existing
                ? existing
                : await threading.ThreadForAsync(inbox, mail.InReplyTo, mail.References, mail.Subject, ct);
            await threading.AddAsync(thread, message, attachments, ct);
            if (rejection is null)
            {
                await queue.EnqueueAsync(new OutboundDelivery
                {
                    Id = Ids.New(Ids.OutboundDelivery, time), OrgId = inbox.OrgId, MessageId = message.Id, MailFrom = inbox.EmailAddress,
                    Recipients = mail.AllRecipients.Select(a => a.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                    NextAttemptAt = now, ExpiresAt = now + settings.RetryWindow, CreatedAt = now, UpdatedAt = now,
                }, ct);
                await events.PublishAsync(new MessageSent(message, attachments), ct);
            }
            else
            {
                await events.PublishAsync(new MessageRejected(message, attachments), ct);
            }
            var sent = new SendResult(message.Id, thread.Id);
            if (idempotencyKey is not null)
                await idempotency.AnswerAsync(inbox.OrgId, scope, idempotencyKey, JsonSerializer.Serialize(sent), ct);
            return sent;
        }, ct);

    public static MailboxAddress Sender(Inbox inbox) => new(inbox.DisplayName, inbox.EmailAddress);

    private static (ErrorKind Kind, string Detail)? PolicyRefusal(Inbox inbox, OutgoingMail mail)
    {
        if (inbox.Status != InboxStatus.Active) return (ErrorKind.NotActive, $"{inbox.EmailAddress} is {inbox.Status} and cannot send");
        if (!inbox.CanSendCold && mail.InReplyTo is null && mail.ThreadId is null && !mail.IsDeliverabilityTest)
            return (ErrorKind.Refused, $"{inbox.EmailAddress} may only reply on existing threads (cold sending is off)");
        return null;
    }

    private static byte[] Build(Inbox inbox, OutgoingMail mail, DateTimeOffset now)
    {
        var builder = new MessageBuilder
        {
            From = Sender(inbox), Subject = mail.Subject, Date = now, MessageIdDomain = inbox.Domain, InReplyTo = mail.InReplyTo,
            TextBody = WithSignature(mail.Text, inbox.SignatureText, "\r\n\r\n-- \r\n"),
            HtmlBody = WithSignature(mail.Html, inbox.SignatureHtml, "<br><br>"),
        };
        builder.To.AddRange(mail.To);
        builder.Cc.AddRange(mail.Cc);
        builder.Bcc.AddRange(mail.Bcc);
        builder.ReplyTo.AddRange(mail.ReplyTo.Count > 0 ? mail.ReplyTo
            : inbox.ReplyTo is { } replyTo && MailboxAddress.TryParse(replyTo, out var address) ? [address] : []);
        builder.References.AddRange(mail.References);
        foreach (var file in mail.Attachments)
            builder.Attachments.Add(new OutgoingAttachment(file.FileName ?? "attachment", file.ContentType, file.Content, file.ContentId, file.Inline));
        foreach (var (name, value) in mail.Headers) builder.AddHeader(name, value);
        return builder.ToBytes();
    }

    private static string? WithSignature(string? body, string? signature, string separator) =>
        body is null || string.IsNullOrEmpty(signature) ? body : body + separator + signature;
}

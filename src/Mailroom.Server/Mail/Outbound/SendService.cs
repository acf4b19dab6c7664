using System.Text.Json;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Mime;
using Mailroom.Server.Api.V0;
using Mailroom.Server.Workers;

namespace Mailroom.Server.Mail.Outbound;

/// <summary>What a send answers: the API's <c>{message_id, thread_id}</c>.</summary>
public sealed record SendResult(string MessageId, string ThreadId);

/// <summary>Policy refused a message before anything was sent; the message is kept with status <c>rejected</c>.</summary>
public sealed class MessageRejectedException(string reason, SendResult result) : MailroomException(reason)
{
    public SendResult Result { get; } = result;
    public override string Name => "MessageRejectedError";
}

/// <summary>
/// Sends mail from an inbox, in the steps the design gives: check the inbox and its policy, build the MIME message,
/// sign it, store it in its thread, queue it for delivery and announce <c>message.sent</c> — the last three in one
/// transaction, together with the <c>Idempotency-Key</c> record.
/// </summary>
public sealed class SendService(
    IThreadRepository threads, Threading threading, IOutboundDeliveryRepository queue, EventPublisher events,
    ITransactionRunner transactions, IBlobStore blobs, IIdempotencyRepository idempotency, DkimKeyring keys, OutboundOptions options,
    DeliverySignal signal, TimeProvider time)
{
    public async Task<SendResult> SendAsync(Inbox inbox, OutgoingMail mail, string? idempotencyKey, CancellationToken ct)
    {
        var scope = "send:" + inbox.Id;
        if (idempotencyKey is not null && await idempotency.FindAsync(inbox.OrgId, scope, idempotencyKey, ct) is { } earlier)
            return JsonSerializer.Deserialize<SendResult>(earlier)!;
        if (!mail.AllRecipients.Any()) throw new ValidationException("to", "at least one recipient is required");

        var now = time.GetUtcNow();
        var rejection = PolicyRefusal(inbox, mail);
        var raw = await BuildAndSignAsync(inbox, mail, now, ct);
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

        var result = await transactions.InTransactionAsync(async () =>
        {
            var thread = mail.ThreadId is not null && await threads.GetAsync(inbox.OrgId, inbox.Id, mail.ThreadId, ct) is { } existing
                ? existing
                : await threading.ThreadForAsync(inbox.OrgId, inbox.Id, mail.InReplyTo, mail.References, mail.Subject, ct);
            await threading.AddAsync(thread, message, attachments, ct);
            var payload = MessageViews.Item(message, attachments);
            if (rejection is null)
            {
                await queue.EnqueueAsync(new OutboundDelivery
                {
                    Id = Ids.New(Ids.OutboundDelivery, time), OrgId = inbox.OrgId, MessageId = message.Id, MailFrom = inbox.EmailAddress,
                    Recipients = mail.AllRecipients.Select(a => a.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                    NextAttemptAt = now, ExpiresAt = now + options.RetryWindow, CreatedAt = now, UpdatedAt = now,
                }, ct);
                await events.PublishAsync(inbox.OrgId, EventTypes.MessageSent, inbox.Id, "message", payload, ct);
            }
            else
            {
                await events.PublishAsync(inbox.OrgId, EventTypes.MessageRejected, inbox.Id, "message", payload, ct);
            }
            var sent = new SendResult(message.Id, thread.Id);
            if (idempotencyKey is not null)
                await idempotency.SaveAsync(inbox.OrgId, scope, idempotencyKey, JsonSerializer.Serialize(sent), now, ct);
            return sent;
        }, ct);

        if (rejection is not null) throw new MessageRejectedException(rejection, result);
        signal.Notify();
        return result;
    }

    public static MailboxAddress Sender(Inbox inbox) => new(inbox.DisplayName, inbox.EmailAddress);

    private static string? PolicyRefusal(Inbox inbox, OutgoingMail mail)
    {
        if (inbox.Status != InboxStatus.Active) return $"inbox: {inbox.EmailAddress} is {inbox.Status} and cannot send";
        if (!inbox.CanSendCold && mail.InReplyTo is null && mail.ThreadId is null)
            return $"inbox: {inbox.EmailAddress} may only reply on existing threads (cold sending is off)";
        return null;
    }

    private async Task<byte[]> BuildAndSignAsync(Inbox inbox, OutgoingMail mail, DateTimeOffset now, CancellationToken ct)
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
        var raw = builder.ToBytes();
        var signer = await keys.SignerForAsync(inbox.Domain, ct);
        return signer is null ? raw : signer.SignMessage(raw);
    }

    private static string? WithSignature(string? body, string? signature, string separator) =>
        body is null || string.IsNullOrEmpty(signature) ? body : body + separator + signature;
}

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

/// <summary>
/// Who mail an organization sends without an inbox goes out as: the From (and default Reply-To) people see, the domain
/// whose DKIM key signs it, the envelope sender bounces go to, and <see cref="SentAs"/> (<c>identity:&lt;id&gt;</c>,
/// <c>domain:&lt;id&gt;</c>, <c>notice</c>). Its events are the organization's like any other message's.
/// </summary>
public sealed record OrganizationSender(string OrgId, MailboxAddress From, MailboxAddress? ReplyTo, string SigningDomain, string EnvelopeFrom,
    string SentAs);

/// <summary>Mail an organization sends without an inbox: marked when stored, found again by delivery.</summary>
public interface IOrganizationMailRepository
{
    /// <summary>Marks the message with what it went out as, in the transaction that stores it.</summary>
    Task MarkSentAsAsync(string messageId, string sentAs, CancellationToken ct = default);
    /// <summary>The organization's message sent without an inbox; null for any other message (a deleted inbox's mail included).</summary>
    Task<Message?> GetSentWithoutInboxAsync(string orgId, string messageId, CancellationToken ct = default);
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
    IOutboundQueueSignal signal, TimeProvider time, IOrganizationMailRepository organizationMail)
{
    /// <param name="idempotencyKey">The caller's key, already scoped to the operation; a repeat answers the first result.</param>
    public async Task<SendResult> SendAsync(Inbox inbox, OutgoingMail mail, string? idempotencyKey, CancellationToken ct)
    {
        var scope = "send:" + inbox.Id;
        if (idempotencyKey is not null && await idempotency.FindAsync(inbox.OrgId, scope, idempotencyKey, ct) is { } earlier)
            return JsonSerializer.Deserialize<SendResult>(earlier)!;
        var defaultReplyTo = inbox.ReplyTo is { } replyTo && MailboxAddress.TryParse(replyTo, out var address) ? address : null;
        var origin = new Origin(inbox.OrgId, inbox, Sender(inbox), defaultReplyTo, inbox.Domain, inbox.EmailAddress, SentAs: null,
            inbox.SignatureText, inbox.SignatureHtml);
        return await SendFromAsync(origin, mail, idempotencyKey, scope, PolicyRefusal(inbox, mail), ct);
    }

    /// <summary>
    /// Sends mail no inbox sends: from a confirmed sender identity, an address on a verified domain, or Mailroom's own
    /// notices. The message is stored in a thread of its own with no inbox and marked with <see cref="OrganizationSender.SentAs"/>;
    /// it is queued, signed and delivered like any other.
    /// </summary>
    public Task<SendResult> SendAsOrganizationAsync(OrganizationSender sender, OutgoingMail mail, CancellationToken ct) =>
        SendFromAsync(new Origin(sender.OrgId, null, sender.From, sender.ReplyTo, sender.SigningDomain, sender.EnvelopeFrom, sender.SentAs,
            null, null), mail, null, null, null, ct);

    /// <summary>Who a message goes out as: an inbox, or (<see cref="Inbox"/> null) the organization itself.</summary>
    private sealed record Origin(string OrgId, Inbox? Inbox, MailboxAddress From, MailboxAddress? DefaultReplyTo, string SigningDomain,
        string EnvelopeFrom, string? SentAs, string? SignatureText, string? SignatureHtml);

    private async Task<SendResult> SendFromAsync(Origin origin, OutgoingMail mail, string? idempotencyKey, string? scope,
        (ErrorKind Kind, string Detail)? rejection, CancellationToken ct)
    {
        if (!mail.AllRecipients.Any()) throw new ValidationException("to", "at least one recipient is required");
        // Past these the message would be built and then fail to read back; a forward counts the original's attachments.
        Check.AtMost("headers", mail.Headers.Count, OutgoingMail.MaxHeaders, "headers");
        Check.AtMost("attachments", mail.Attachments.Count, OutgoingMail.MaxAttachments, "attachments");

        var now = time.GetUtcNow();
        var raw = await signer.SignAsync(origin.SigningDomain, Build(origin, mail, now), ct);
        var parsed = MimeMessage.Parse(raw);
        var messageId = Ids.New(Ids.Message, time);
        var rawKey = await blobs.PutAsync("raw", new MemoryStream(raw), ct);
        var attachments = new List<Attachment>();
        foreach (var file in mail.Attachments)
        {
            attachments.Add(new Attachment
            {
                Id = Ids.New(Ids.Attachment, time), OrgId = origin.OrgId, MessageId = messageId, FileName = file.FileName, ContentType = file.ContentType,
                Disposition = file.Inline ? "inline" : "attachment", ContentId = file.ContentId, Size = file.Content.LongLength,
                BlobKey = await blobs.PutAsync("att", new MemoryStream(file.Content), ct), CreatedAt = now,
            });
        }
        var message = new Message
        {
            Id = messageId, OrgId = origin.OrgId, InboxId = origin.Inbox?.Id, ThreadId = "", Direction = MessageDirection.Outbound,
            Status = rejection is null ? MessageStatus.Queued : MessageStatus.Rejected,
            RfcMessageId = parsed.MessageId, InReplyTo = mail.InReplyTo, References = mail.References, From = origin.From.ToString(),
            To = mail.To.Select(a => a.Address).ToList(), Cc = mail.Cc.Select(a => a.Address).ToList(), Bcc = mail.Bcc.Select(a => a.Address).ToList(),
            ReplyTo = mail.ReplyTo.Select(a => a.Address).ToList(), Subject = mail.Subject, Preview = parsed.Preview, Text = parsed.TextBody,
            Html = parsed.HtmlBody, Headers = parsed.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList(),
            Labels = mail.Labels, Size = raw.LongLength, RawBlobKey = rawKey, Timestamp = now, CreatedAt = now, UpdatedAt = now,
        };

        SendResult result;
        try
        {
            result = await Store(origin, mail, idempotencyKey, scope, message, attachments, rejection, now, ct);
        }
        catch (IdempotencyKeyTaken)
        {
            // Another request with this key (on this node or another) committed first: answer what it answered, as a
            // retry would, and drop this attempt's blobs, whose rows rolled back.
            foreach (var key in attachments.Select(a => a.BlobKey).Prepend(rawKey)) await blobs.DeleteAsync(key, ct);
            return JsonSerializer.Deserialize<SendResult>(await idempotency.FindAsync(origin.OrgId, scope!, idempotencyKey!, ct)
                                                          ?? throw new InvalidOperationException("an idempotency key taken by a commit has no answer"))!;
        }

        if (rejection is { } refusal) throw new MessageRejectedException(refusal.Kind, refusal.Detail, result);
        signal.Notify();
        return result;
    }

    /// <summary>Raised inside the transaction to roll it back when another request took the idempotency key first.</summary>
    private sealed class IdempotencyKeyTaken : Exception;

    private Task<SendResult> Store(Origin origin, OutgoingMail mail, string? idempotencyKey, string? scope, Message message, List<Attachment> attachments,
        (ErrorKind Kind, string Detail)? rejection, DateTimeOffset now, CancellationToken ct) =>
        transactions.InTransactionAsync(async () =>
        {
            // The key first, before any row this send locks, so that a request that waits for it holds nothing the
            // request ahead of it needs.
            if (idempotencyKey is not null && !await idempotency.TryTakeAsync(origin.OrgId, scope!, idempotencyKey, now, ct))
                throw new IdempotencyKeyTaken();
            var thread = await ThreadForAsync(origin, mail, now, ct);
            await threading.AddAsync(thread, message, attachments, ct);
            if (origin.SentAs is { } sentAs) await organizationMail.MarkSentAsAsync(message.Id, sentAs, ct);
            if (rejection is null)
            {
                await queue.EnqueueAsync(new OutboundDelivery
                {
                    Id = Ids.New(Ids.OutboundDelivery, time), OrgId = origin.OrgId, MessageId = message.Id, MailFrom = origin.EnvelopeFrom,
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
                await idempotency.AnswerAsync(origin.OrgId, scope!, idempotencyKey, JsonSerializer.Serialize(sent), ct);
            return sent;
        }, ct);

    /// <summary>An inbox's reply joins its thread; mail the organization sends without an inbox opens a thread of its own.</summary>
    private async Task<MailThread> ThreadForAsync(Origin origin, OutgoingMail mail, DateTimeOffset now, CancellationToken ct)
    {
        if (origin.Inbox is not { } inbox)
            return new MailThread
            {
                Id = Ids.New(Ids.Thread, time), OrgId = origin.OrgId, InboxId = null, InboxAddress = origin.From.Address, Subject = mail.Subject,
                NormalizedSubject = Threading.NormalizeSubject(mail.Subject), LastActivityAt = now, CreatedAt = now, UpdatedAt = now,
            };
        return mail.ThreadId is not null && await threads.GetAsync(inbox.OrgId, inbox.Id, mail.ThreadId, ct) is { } existing
            ? existing
            : await threading.ThreadForAsync(inbox, mail.InReplyTo, mail.References, mail.Subject, ct);
    }

    public static MailboxAddress Sender(Inbox inbox) => new(inbox.DisplayName, inbox.EmailAddress);

    private static (ErrorKind Kind, string Detail)? PolicyRefusal(Inbox inbox, OutgoingMail mail)
    {
        if (inbox.Status != InboxStatus.Active) return (ErrorKind.NotActive, $"{inbox.EmailAddress} is {inbox.Status} and cannot send");
        if (!inbox.CanSendCold && mail.InReplyTo is null && mail.ThreadId is null && !mail.IsDeliverabilityTest)
            return (ErrorKind.Refused, $"{inbox.EmailAddress} may only reply on existing threads (cold sending is off)");
        return null;
    }

    private static byte[] Build(Origin origin, OutgoingMail mail, DateTimeOffset now)
    {
        var builder = new MessageBuilder
        {
            From = origin.From, Subject = mail.Subject, Date = now, MessageIdDomain = origin.SigningDomain, InReplyTo = mail.InReplyTo,
            TextBody = WithSignature(mail.Text, origin.SignatureText, "\r\n\r\n-- \r\n"),
            HtmlBody = WithSignature(mail.Html, origin.SignatureHtml, "<br><br>"),
        };
        builder.To.AddRange(mail.To);
        builder.Cc.AddRange(mail.Cc);
        builder.Bcc.AddRange(mail.Bcc);
        builder.ReplyTo.AddRange(mail.ReplyTo.Count > 0 ? mail.ReplyTo : origin.DefaultReplyTo is { } replyTo ? [replyTo] : []);
        builder.References.AddRange(mail.References);
        foreach (var file in mail.Attachments)
            builder.Attachments.Add(new OutgoingAttachment(file.FileName ?? "attachment", file.ContentType, file.Content, file.ContentId, file.Inline));
        foreach (var (name, value) in mail.Headers) builder.AddHeader(name, value);
        return builder.ToBytes();
    }

    private static string? WithSignature(string? body, string? signature, string separator) =>
        body is null || string.IsNullOrEmpty(signature) ? body : body + separator + signature;
}

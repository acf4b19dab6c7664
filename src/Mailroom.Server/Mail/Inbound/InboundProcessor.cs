using System.Collections.Concurrent;
using System.Text;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Mime;
using Mailroom.Server.Api.V0;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// Turns a spooled message into stored mail, in the order the design gives: parse, authenticate, and for each
/// recipient inbox thread it, store message and attachments, and announce <c>message.received</c> in the same
/// transaction. Mail that fails SPF, DKIM or DMARC is stored all the same, with the results on it; mail the parser
/// refuses is stored too, with its raw text as the body.
/// </summary>
public sealed class InboundProcessor(
    IBlobStore blobs, IInboxRepository inboxes, IMessageRepository messages, IInboundSpoolRepository spool, Threading threading, EventPublisher events,
    ITransactionRunner transactions, IInboundAuthenticator authenticator, BounceHandler bounces, TimeProvider time,
    ILogger<InboundProcessor> logger)
{
    public const string UnparseableLabel = "unparseable";
    private const int UnparseableTextLimit = 1024 * 1024;

    /// <summary>One recipient's copy, ready to store: everything but the database transaction.</summary>
    public sealed record PreparedDelivery(Inbox Inbox, Message Message, List<Attachment> Attachments, MimeMessage? Parsed);

    /// <summary>A spooled message and its prepared copies (none when every recipient is gone or already served).</summary>
    public sealed record PreparedMessage(SpooledMessage Spooled, IReadOnlyList<PreparedDelivery> Deliveries);

    /// <summary>
    /// Reads, parses and authenticates the message and writes its attachments: the work that needs no transaction.
    /// <paramref name="inboxesByAddress"/> is shared by the messages of one batch, which mostly go to the same inboxes.
    /// </summary>
    public async Task<PreparedMessage> PrepareAsync(SpooledMessage spooled, ConcurrentDictionary<string, Inbox?> inboxesByAddress, CancellationToken ct)
    {
        byte[] raw;
        await using (var stream = await blobs.OpenAsync(spooled.BlobKey, ct))
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, ct);
            raw = buffer.ToArray();
        }

        MimeMessage? parsed = null;
        string? parseError = null;
        try { parsed = MimeMessage.Parse(raw); }
        catch (MimeFormatException e) { parseError = e.Message; }

        var authentication = await authenticator.AuthenticateAsync(raw, parsed, spooled.Envelope, ct);
        var deliveries = new List<PreparedDelivery>();
        foreach (var recipient in spooled.Envelope.Recipients.Select(r => r.ToLowerInvariant()).Distinct())
        {
            if (!inboxesByAddress.TryGetValue(recipient, out var inbox))
                inboxesByAddress[recipient] = inbox = await inboxes.FindByAddressAsync(recipient, ct);
            if (inbox is null)
            {
                // Accepted at RCPT, deleted since: nobody is left to give it to.
                logger.LogWarning("spooled message {Id} for {Recipient}: the inbox no longer exists", spooled.Id, recipient);
                continue;
            }
            deliveries.Add(await PrepareDeliveryAsync(inbox, spooled, raw, parsed, parseError, authentication, ct));
        }
        return new PreparedMessage(spooled, deliveries);
    }

    /// <summary>
    /// Stores prepared messages in one transaction: thread, message, attachments, <c>message.received</c>, bounce
    /// handling, and the spool rows marked done — so a message is stored and announced exactly when its spool row closes.
    /// A copy an earlier, interrupted run already stored (the process died before its spool row closed) is skipped.
    /// </summary>
    public async Task CommitAsync(IReadOnlyList<PreparedMessage> batch, CancellationToken ct)
    {
        await blobs.SyncAsync(ct); // the batch's attachments are durable before the spool rows that hold their source close
        await transactions.InTransactionAsync(async () =>
        {
            var delivered = await messages.DeliveredFromSpoolAsync(batch.Select(p => p.Spooled.Id).ToList(), ct);
            foreach (var (spooled, deliveries) in batch)
            {
                foreach (var (inbox, message, attachments, parsed) in deliveries)
                {
                    if (delivered.Contains((inbox.Id, spooled.Id))) continue;
                    var thread = await threading.ThreadForAsync(inbox.OrgId, inbox.Id, message.InReplyTo, message.References, message.Subject, ct);
                    await threading.AddAsync(thread, message, attachments, ct);
                    await events.PublishAsync(inbox.OrgId, EventTypes.MessageReceived, inbox.Id, "message", MessageViews.Item(message, attachments), ct);
                    if (parsed is not null) await bounces.HandleAsync(inbox, parsed, ct);
                }
            }
            await spool.CompleteAsync(batch.Select(p => p.Spooled.Id).ToList(), ct);
            return true;
        }, ct);
    }

    private async Task<PreparedDelivery> PrepareDeliveryAsync(Inbox inbox, SpooledMessage spooled, byte[] raw, MimeMessage? parsed, string? parseError,
        MessageAuthentication authentication, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var messageId = Ids.New(Ids.Message, time);
        var attachments = new List<Attachment>();
        foreach (var part in parsed?.Attachments ?? [])
        {
            using var content = new MemoryStream();
            part.WriteContentTo(content);
            content.Position = 0;
            attachments.Add(new Attachment
            {
                Id = Ids.New(Ids.Attachment, time), OrgId = inbox.OrgId, MessageId = messageId, FileName = part.FileName,
                ContentType = part.ContentType, Disposition = part.Disposition, ContentId = part.ContentId, Size = content.Length,
                BlobKey = await blobs.PutAsync("att", content, sync: false, ct), CreatedAt = now,
            });
        }
        var message = parsed is null
            ? Unparseable(inbox, messageId, spooled, raw, parseError!, authentication, now)
            : FromParsed(inbox, messageId, spooled, parsed, raw.LongLength, authentication, now);
        return new PreparedDelivery(inbox, message, attachments, parsed);
    }

    private static Message FromParsed(Inbox inbox, string id, SpooledMessage spooled, MimeMessage parsed, long size,
        MessageAuthentication authentication, DateTimeOffset now) => new()
    {
        Id = id, OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound, Status = MessageStatus.Received,
        RfcMessageId = parsed.MessageId, InReplyTo = parsed.InReplyTo, References = parsed.References.ToList(),
        From = parsed.From.FirstOrDefault()?.ToString() ?? NullIfEmpty(spooled.Envelope.MailFrom),
        To = parsed.To.Select(a => a.Address).ToList(), Cc = parsed.Cc.Select(a => a.Address).ToList(),
        Bcc = parsed.Bcc.Select(a => a.Address).ToList(), ReplyTo = parsed.ReplyTo.Select(a => a.Address).ToList(),
        Subject = parsed.Subject, Preview = parsed.Preview, Text = parsed.TextBody ?? (parsed.HtmlBody is null ? null : parsed.PlainText),
        Html = parsed.HtmlBody, Headers = parsed.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList(),
        Size = size, RawBlobKey = spooled.BlobKey, Authentication = authentication, SpoolId = spooled.Id,
        Timestamp = spooled.Envelope.ReceivedAt, CreatedAt = now, UpdatedAt = now,
    };

    private static Message Unparseable(Inbox inbox, string id, SpooledMessage spooled, byte[] raw, string error,
        MessageAuthentication authentication, DateTimeOffset now)
    {
        var text = Encoding.UTF8.GetString(raw, 0, Math.Min(raw.Length, UnparseableTextLimit));
        return new Message
        {
            Id = id, OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound, Status = MessageStatus.Received,
            From = NullIfEmpty(spooled.Envelope.MailFrom), To = [inbox.EmailAddress], Subject = null,
            Preview = $"(unparseable message: {error})", Text = text, Labels = [UnparseableLabel], Size = raw.LongLength,
            RawBlobKey = spooled.BlobKey, Authentication = authentication, SpoolId = spooled.Id, Timestamp = spooled.Envelope.ReceivedAt, CreatedAt = now, UpdatedAt = now,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>SPF, DKIM and DMARC for one received message.</summary>
public interface IInboundAuthenticator
{
    Task<MessageAuthentication> AuthenticateAsync(byte[] raw, MimeMessage? parsed, InboundEnvelope envelope, CancellationToken ct);
}

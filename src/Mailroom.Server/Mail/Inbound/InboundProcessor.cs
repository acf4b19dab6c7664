using System.Collections.Concurrent;
using System.Text;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Core.Threads;
using Mailroom.Mime;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// Turns received mail (as it is accepted, or later from the spool) into stored mail, in the order the design gives: parse, authenticate, and for each
/// recipient inbox thread it, store message and attachments, and announce <c>message.received</c> in the same
/// transaction. Mail that fails SPF, DKIM or DMARC is stored all the same, with the results on it; mail the parser
/// refuses is stored too, with its raw text as the body.
/// </summary>
public sealed class InboundProcessor(
    IBlobStore blobs, IInboxRepository inboxes, IMessageRepository messages, IInboundSpoolRepository spool, Threading threading, EventPublisher events,
    ITransactionRunner transactions, IInboundAuthenticator authenticator, BounceHandling bounces, TimeProvider time,
    ILogger<InboundProcessor> logger)
{
    public const string UnparseableLabel = "unparseable";
    public const string RawBlobPrefix = "raw";
    private const int UnparseableTextLimit = 1024 * 1024;

    /// <summary>An attachment's metadata and bytes, written to the blob store with its message.</summary>
    public sealed record PreparedAttachment(string Id, string? FileName, string ContentType, string? Disposition, string? ContentId, byte[] Content);

    /// <summary>One recipient's copy, ready to store: everything but the database transaction.</summary>
    public sealed record PreparedDelivery(Inbox Inbox, Message Message, IReadOnlyList<PreparedAttachment> Attachments, MimeMessage? Parsed);

    /// <summary>
    /// A received message, its bytes and its prepared copies (none when every recipient is gone or already served).
    /// <paramref name="RawStored"/>: the bytes are in the blob store under the spool row's key already; otherwise (mail
    /// stored as it is accepted) they are written with the copies.
    /// </summary>
    public sealed record PreparedMessage(SpooledMessage Spooled, byte[] Raw, bool RawStored, IReadOnlyList<PreparedDelivery> Deliveries);

    /// <summary>Prepares a spooled message whose bytes are in the blob store.</summary>
    public async Task<PreparedMessage> PrepareAsync(SpooledMessage spooled, ConcurrentDictionary<string, Inbox?> inboxesByAddress, CancellationToken ct)
    {
        byte[] raw;
        await using (var stream = await blobs.OpenAsync(spooled.BlobKey, ct))
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, ct);
            raw = buffer.ToArray();
        }
        return await PrepareAsync(spooled, raw, rawStored: true, inboxesByAddress, ct);
    }

    /// <summary>
    /// Parses and authenticates the message and builds each recipient's copy: the work that needs no transaction.
    /// <paramref name="inboxesByAddress"/> is shared by the messages of one batch, which mostly go to the same inboxes.
    /// </summary>
    public async Task<PreparedMessage> PrepareAsync(SpooledMessage spooled, byte[] raw, bool rawStored,
        ConcurrentDictionary<string, Inbox?> inboxesByAddress, CancellationToken ct)
    {
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
                logger.LogWarning("message {Id} for {Recipient}: the inbox no longer exists", spooled.Id, recipient);
                continue;
            }
            deliveries.Add(PrepareDelivery(inbox, spooled, rawStored ? spooled.Id : null, raw, parsed, parseError, authentication));
        }
        return new PreparedMessage(spooled, raw, rawStored, deliveries);
    }

    /// <summary>
    /// Stores spooled messages in one transaction and closes their spool rows in it, so a message is stored and
    /// announced exactly when its spool row closes. A copy an earlier, interrupted run already stored (the process
    /// died before its spool row closed) is skipped.
    /// </summary>
    public async Task CommitAsync(IReadOnlyList<PreparedMessage> batch, CancellationToken ct)
    {
        await transactions.InTransactionAsync(async () =>
        {
            var delivered = await messages.DeliveredFromSpoolAsync(batch.Select(p => p.Spooled.Id).ToList(), ct);
            await StoreAsync(batch, delivered, ct);
            await spool.CompleteAsync(batch.Select(p => p.Spooled.Id).ToList(), ct);
            return true;
        }, ct);
    }

    /// <summary>
    /// Writes prepared messages in the caller's transaction: raw bytes and attachments, thread, message,
    /// <c>message.received</c> and bounce handling. Files written for large blobs are flushed before it returns, so
    /// they are durable before the commit that names them.
    /// </summary>
    public async Task StoreAsync(IReadOnlyList<PreparedMessage> batch, IReadOnlySet<(string InboxId, string SpoolId)>? alreadyStored, CancellationToken ct)
    {
        foreach (var (spooled, raw, rawStored, deliveries) in batch)
        {
            var spooledKeyUsed = false;
            foreach (var (inbox, message, prepared, parsed) in deliveries)
            {
                if (alreadyStored?.Contains((inbox.Id, spooled.Id)) == true) continue;
                // Each copy owns its raw blob, as it owns its attachments: deleting one inbox's thread must not take
                // the message from another inbox (or organization) it was also sent to.
                message.RawBlobKey = rawStored && !spooledKeyUsed
                    ? spooled.BlobKey
                    : await blobs.PutAsync(RawBlobPrefix, new MemoryStream(raw, writable: false), sync: false, ct);
                spooledKeyUsed |= rawStored;
                var attachments = new List<Attachment>(prepared.Count);
                foreach (var a in prepared)
                {
                    attachments.Add(new Attachment
                    {
                        Id = a.Id, OrgId = inbox.OrgId, MessageId = message.Id, FileName = a.FileName, ContentType = a.ContentType,
                        Disposition = a.Disposition, ContentId = a.ContentId, Size = a.Content.LongLength, CreatedAt = message.CreatedAt,
                        BlobKey = await blobs.PutAsync("att", new MemoryStream(a.Content, writable: false), sync: false, ct),
                    });
                }
                var thread = await threading.ThreadForAsync(inbox.OrgId, inbox.Id, message.InReplyTo, message.References, message.Subject, ct);
                await threading.AddAsync(thread, message, attachments, ct);
                await events.PublishAsync(new MessageReceived(message, attachments), ct);
                if (parsed is not null) await bounces.HandleAsync(inbox, parsed, ct);
            }
        }
        await blobs.SyncAsync(ct);
    }

    private PreparedDelivery PrepareDelivery(Inbox inbox, SpooledMessage spooled, string? spoolId, byte[] raw, MimeMessage? parsed, string? parseError,
        MessageAuthentication authentication)
    {
        var now = time.GetUtcNow();
        var messageId = Ids.New(Ids.Message, time);
        var attachments = new List<PreparedAttachment>();
        foreach (var part in parsed?.Attachments ?? [])
        {
            using var content = new MemoryStream();
            part.WriteContentTo(content);
            attachments.Add(new PreparedAttachment(Ids.New(Ids.Attachment, time), Storable(part.FileName), Storable(part.ContentType)!,
                Storable(part.Disposition), Storable(part.ContentId),
                content.ToArray()));
        }
        var message = parsed is null
            ? Unparseable(inbox, messageId, spooled, spoolId, raw, parseError!, authentication, now)
            : FromParsed(inbox, messageId, spooled, spoolId, parsed, raw.LongLength, authentication, now);
        return new PreparedDelivery(inbox, message, attachments, parsed);
    }

    private static Message FromParsed(Inbox inbox, string id, SpooledMessage spooled, string? spoolId, MimeMessage parsed, long size,
        MessageAuthentication authentication, DateTimeOffset now) => new()
    {
        Id = id, OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound, Status = MessageStatus.Received,
        RfcMessageId = Storable(parsed.MessageId), InReplyTo = Storable(parsed.InReplyTo), References = Storable(parsed.References),
        From = Storable(parsed.From.FirstOrDefault()?.ToString() ?? NullIfEmpty(spooled.Envelope.MailFrom)),
        To = Storable(parsed.To.Select(a => a.Address)), Cc = Storable(parsed.Cc.Select(a => a.Address)),
        Bcc = Storable(parsed.Bcc.Select(a => a.Address)), ReplyTo = Storable(parsed.ReplyTo.Select(a => a.Address)),
        Subject = Storable(parsed.Subject), Preview = Storable(parsed.Preview),
        Text = Storable(parsed.TextBody ?? (parsed.HtmlBody is null ? null : parsed.PlainText)), Html = Storable(parsed.HtmlBody),
        Headers = parsed.Headers.Select(h => new KeyValuePair<string, string>(Storable(h.Name)!, Storable(h.Value)!)).ToList(),
        Size = size, Authentication = authentication, SpoolId = spoolId,
        Timestamp = spooled.Envelope.ReceivedAt, CreatedAt = now, UpdatedAt = now,
    };

    private static Message Unparseable(Inbox inbox, string id, SpooledMessage spooled, string? spoolId, byte[] raw, string error,
        MessageAuthentication authentication, DateTimeOffset now)
    {
        var text = Encoding.UTF8.GetString(raw, 0, Math.Min(raw.Length, UnparseableTextLimit));
        return new Message
        {
            Id = id, OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound, Status = MessageStatus.Received,
            From = Storable(NullIfEmpty(spooled.Envelope.MailFrom)), To = [inbox.EmailAddress], Subject = null,
            Preview = Storable($"(unparseable message: {error})"), Text = Storable(text), Labels = [UnparseableLabel], Size = raw.LongLength,
            Authentication = authentication, SpoolId = spoolId, Timestamp = spooled.Envelope.ReceivedAt, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>
    /// Text as the database can keep it: PostgreSQL refuses U+0000 in text and JSON, so a NUL that a sender put in a
    /// header or body reads as U+FFFD (the raw message keeps the original bytes). Without this such mail is never stored.
    /// </summary>
    private static string? Storable(string? text) => text is null || !text.Contains('\0') ? text : text.Replace('\0', '\uFFFD');

    private static List<string> Storable(IEnumerable<string> texts) => texts.Select(t => Storable(t)!).ToList();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>SPF, DKIM and DMARC for one received message.</summary>
public interface IInboundAuthenticator
{
    Task<MessageAuthentication> AuthenticateAsync(byte[] raw, MimeMessage? parsed, InboundEnvelope envelope, CancellationToken ct);
}

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
using Microsoft.Extensions.Logging;

namespace Mailroom.Core.Messaging;

/// <summary>
/// Mail as the transport hands it over: its id, envelope and bytes. <paramref name="SpooledBlobKey"/> is set for mail
/// that went through the spool: its bytes are in the blob store already, and the copies carry the spool id so that
/// filing it again after a crash stores nothing twice.
/// </summary>
public sealed record AcceptedMail(string Id, InboundEnvelope Envelope, byte[] Raw, string? SpooledBlobKey = null)
{
    public bool IsSpooled => SpooledBlobKey is not null;
}

/// <summary>An attachment's metadata and bytes, written to the blob store when its copy is filed.</summary>
public sealed record AttachmentContent(string Id, string? FileName, string ContentType, string? Disposition, string? ContentId, byte[] Content);

/// <summary>One recipient inbox's copy, ready to file.</summary>
public sealed record RecipientCopy(Inbox Inbox, Message Message, IReadOnlyList<AttachmentContent> Attachments, MimeMessage? Parsed);

/// <summary>Accepted mail, read and addressed: a copy per recipient inbox.</summary>
public sealed record ReadMail(AcceptedMail Accepted, IReadOnlyList<RecipientCopy> Copies);

/// <summary>SPF, DKIM and DMARC for one received message.</summary>
public interface IInboundAuthenticator
{
    Task<MessageAuthentication> AuthenticateAsync(byte[] raw, MimeMessage? parsed, InboundEnvelope envelope, CancellationToken ct);
}

/// <summary>
/// Receives accepted mail in the order the design gives. <see cref="ReadAsync"/>, outside any transaction: parse (mail
/// the parser refuses is kept, its raw text as the body), check SPF, DKIM and DMARC (failing mail is kept with its
/// results), and address a copy to each recipient's inbox. <see cref="FileAsync"/>, inside the caller's transaction:
/// store each copy's raw bytes and attachments, thread it, store the message, announce <c>message.received</c> and
/// handle a bounce report.
/// </summary>
public sealed class MailReception(IBlobStore blobs, IInboxRepository inboxes, Threading threading, EventPublisher events,
    IInboundAuthenticator authenticator, BounceHandling bounces, Automation.ISpamChecker spamCheck, TimeProvider time, ILogger<MailReception> logger)
{
    public const string UnparseableLabel = "unparseable";
    public const string RawBlobPrefix = "raw";
    private const int UnparseableTextLimit = 1024 * 1024;

    /// <param name="inboxesByAddress">Shared by the mail of one batch, which mostly goes to the same inboxes.</param>
    public async Task<ReadMail> ReadAsync(AcceptedMail mail, ConcurrentDictionary<string, Inbox?> inboxesByAddress, CancellationToken ct)
    {
        MimeMessage? parsed = null;
        string? parseError = null;
        try { parsed = MimeMessage.Parse(mail.Raw); }
        catch (MimeFormatException e) { parseError = e.Message; }

        var authentication = await authenticator.AuthenticateAsync(mail.Raw, parsed, mail.Envelope, ct);
        var copies = new List<RecipientCopy>();
        foreach (var recipient in mail.Envelope.Recipients.Select(r => r.ToLowerInvariant()).Distinct())
        {
            if (!inboxesByAddress.TryGetValue(recipient, out var inbox))
                inboxesByAddress[recipient] = inbox = await inboxes.FindByAddressAsync(recipient, ct);
            // Accepted at RCPT, deleted since: nobody is left to give it to.
            if (inbox is null) logger.LogWarning("message {Id} for {Recipient}: the inbox no longer exists", mail.Id, recipient);
            else copies.Add(CopyFor(inbox, mail, parsed, parseError, authentication));
        }
        return new ReadMail(mail, copies);
    }

    /// <param name="alreadyFiled">Copies an interrupted run filed before its spool row closed, as (inbox id, spool id): skipped.</param>
    public async Task FileAsync(IReadOnlyList<ReadMail> batch, IReadOnlySet<(string InboxId, string SpoolId)>? alreadyFiled, CancellationToken ct)
    {
        foreach (var (mail, copies) in batch)
        {
            var spooledBlobUsed = false;
            foreach (var (inbox, message, attachmentContents, parsed) in copies)
            {
                if (alreadyFiled?.Contains((inbox.Id, mail.Id)) == true) continue;
                // Each copy owns its raw blob, as it owns its attachments: deleting one inbox's thread must not take
                // the message from another inbox (or organization) it was also sent to.
                message.RawBlobKey = mail.SpooledBlobKey is { } spooledKey && !spooledBlobUsed
                    ? spooledKey
                    : await blobs.PutAsync(RawBlobPrefix, new MemoryStream(mail.Raw, writable: false), sync: false, ct);
                spooledBlobUsed |= mail.IsSpooled;
                var attachments = new List<Attachment>(attachmentContents.Count);
                foreach (var a in attachmentContents)
                {
                    attachments.Add(new Attachment
                    {
                        Id = a.Id, OrgId = inbox.OrgId, MessageId = message.Id, FileName = a.FileName, ContentType = a.ContentType,
                        Disposition = a.Disposition, ContentId = a.ContentId, Size = a.Content.LongLength, CreatedAt = message.CreatedAt,
                        BlobKey = await blobs.PutAsync("att", new MemoryStream(a.Content, writable: false), sync: false, ct),
                    });
                }
                var thread = await threading.ThreadForAsync(inbox, message.InReplyTo, message.References, message.Subject, ct);
                await threading.AddAsync(thread, message, attachments, ct);
                await events.PublishAsync(new MessageReceived(message, attachments), ct);
                if (parsed is not null) await bounces.HandleAsync(inbox, parsed, ct);
            }
        }
        // Files written for large blobs are durable before the commit that names them.
        await blobs.SyncAsync(ct);
    }

    private RecipientCopy CopyFor(Inbox inbox, AcceptedMail mail, MimeMessage? parsed, string? parseError, MessageAuthentication authentication)
    {
        var now = time.GetUtcNow();
        var messageId = Ids.New(Ids.Message, time);
        var attachments = new List<AttachmentContent>();
        foreach (var part in parsed?.Attachments ?? [])
        {
            using var content = new MemoryStream();
            part.WriteContentTo(content);
            attachments.Add(new AttachmentContent(Ids.New(Ids.Attachment, time), Storable(part.FileName), Storable(part.ContentType)!,
                Storable(part.Disposition), Storable(part.ContentId), content.ToArray()));
        }
        var spoolId = mail.IsSpooled ? mail.Id : null;
        var message = parsed is null
            ? Unparseable(inbox, messageId, mail, spoolId, parseError!, authentication, now)
            : FromParsed(inbox, messageId, mail.Envelope, spoolId, parsed, mail.Raw.LongLength, authentication, now);
        // Without a spam checker the message says at once that its check is skipped; with one, automations fill the verdict in.
        if (!spamCheck.IsConfigured) message.Spam = new Automation.SpamVerdict(Automation.SpamVerdict.Skipped, null, null);
        return new RecipientCopy(inbox, message, attachments, parsed);
    }

    private static Message FromParsed(Inbox inbox, string id, InboundEnvelope envelope, string? spoolId, MimeMessage parsed, long size,
        MessageAuthentication authentication, DateTimeOffset now) => new()
    {
        Id = id, OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound, Status = MessageStatus.Received,
        RfcMessageId = Storable(parsed.MessageId), InReplyTo = Storable(parsed.InReplyTo), References = Storable(parsed.References),
        From = Storable(parsed.From.FirstOrDefault()?.ToString() ?? NullIfEmpty(envelope.MailFrom)),
        To = Storable(parsed.To.Select(a => a.Address)), Cc = Storable(parsed.Cc.Select(a => a.Address)),
        Bcc = Storable(parsed.Bcc.Select(a => a.Address)), ReplyTo = Storable(parsed.ReplyTo.Select(a => a.Address)),
        Subject = Storable(parsed.Subject), Preview = Storable(parsed.Preview),
        Text = Storable(parsed.TextBody ?? (parsed.HtmlBody is null ? null : parsed.PlainText)), Html = Storable(parsed.HtmlBody),
        Headers = parsed.Headers.Select(h => new KeyValuePair<string, string>(Storable(h.Name)!, Storable(h.Value)!)).ToList(),
        Size = size, Authentication = authentication, SpoolId = spoolId,
        Timestamp = envelope.ReceivedAt, CreatedAt = now, UpdatedAt = now,
    };

    private static Message Unparseable(Inbox inbox, string id, AcceptedMail mail, string? spoolId, string error,
        MessageAuthentication authentication, DateTimeOffset now)
    {
        var text = Encoding.UTF8.GetString(mail.Raw, 0, Math.Min(mail.Raw.Length, UnparseableTextLimit));
        return new Message
        {
            Id = id, OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound, Status = MessageStatus.Received,
            From = Storable(NullIfEmpty(mail.Envelope.MailFrom)), To = [inbox.EmailAddress], Subject = null,
            Preview = Storable($"(unparseable message: {error})"), Text = Storable(text), Labels = [UnparseableLabel], Size = mail.Raw.LongLength,
            Authentication = authentication, SpoolId = spoolId, Timestamp = mail.Envelope.ReceivedAt, CreatedAt = now, UpdatedAt = now,
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

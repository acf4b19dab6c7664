using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Messages;
using Mailroom.Core.Platform;
using Mailroom.Core.Threads;
using Mailroom.Mime;

namespace Mailroom.Core.Messaging;

/// <summary>
/// Mail Mailroom sends in its own name (approval requests), from <see cref="SenderAddress"/> on the platform domain,
/// through the same path as an inbox's mail: built, DKIM-signed, stored and queued for the delivery workers. It belongs
/// to no inbox, so no dialect lists it and no webhook announces it.
/// </summary>
public sealed class NoticeMail(Threading threading, IOutboundDeliveryRepository queue, ITransactionRunner transactions, IBlobStore blobs,
    IMessageSigner signer, OutboundSettings settings, IOutboundQueueSignal signal, PlatformSettings platform, TimeProvider time)
{
    public const string LocalPart = "mailroom-approvals";

    public string SenderAddress => $"{LocalPart}@{platform.DefaultDomain}";

    /// <summary>Queues the notice and answers its message id.</summary>
    public async Task<string> SendAsync(string orgId, MailboxAddress to, string subject, string text, string? html, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var from = new MailboxAddress("Mailroom approvals", SenderAddress);
        var builder = new MessageBuilder { From = from, Subject = subject, Date = now, MessageIdDomain = platform.DefaultDomain, TextBody = text, HtmlBody = html };
        builder.To.Add(to);
        // Automatic mail: auto-responders stay quiet (RFC 3834).
        builder.AddHeader("Auto-Submitted", "auto-generated");
        var raw = await signer.SignAsync(platform.DefaultDomain, builder.ToBytes(), ct);
        var parsed = MimeMessage.Parse(raw);
        var rawKey = await blobs.PutAsync("raw", new MemoryStream(raw), ct);
        var message = new Message
        {
            Id = Ids.New(Ids.Message, time), OrgId = orgId, InboxId = null, ThreadId = "", Direction = MessageDirection.Outbound,
            Status = MessageStatus.Queued, RfcMessageId = parsed.MessageId, From = from.ToString(), To = [to.Address], Subject = subject,
            Preview = parsed.Preview, Text = parsed.TextBody, Html = parsed.HtmlBody,
            Headers = parsed.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList(),
            Size = raw.LongLength, RawBlobKey = rawKey, Timestamp = now, CreatedAt = now, UpdatedAt = now,
        };
        var thread = new MailThread
        {
            Id = Ids.New(Ids.Thread, time), OrgId = orgId, InboxId = null, InboxAddress = SenderAddress, Subject = subject,
            NormalizedSubject = Threading.NormalizeSubject(subject), LastActivityAt = now, CreatedAt = now, UpdatedAt = now,
        };
        await transactions.InTransactionAsync(async () =>
        {
            await threading.AddAsync(thread, message, [], ct);
            await queue.EnqueueAsync(new OutboundDelivery
            {
                Id = Ids.New(Ids.OutboundDelivery, time), OrgId = orgId, MessageId = message.Id, MailFrom = SenderAddress, Recipients = [to.Address],
                NextAttemptAt = now, ExpiresAt = now + settings.RetryWindow, CreatedAt = now, UpdatedAt = now,
            }, ct);
            return true;
        }, ct);
        signal.Notify();
        return message.Id;
    }
}

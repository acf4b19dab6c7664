using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Mime;

namespace Mailroom.Core.Messaging;

/// <summary>
/// A delivery status notification (RFC 3464: <c>multipart/report; report-type=delivery-status</c>) that comes back to
/// an inbox marks the message it reports on as bounced and announces <c>message.bounced</c>. The original is found by
/// the Message-ID of the returned message or headers part, or by the DSN's own In-Reply-To and References.
/// </summary>
public sealed class BounceHandling(IMessageRepository messages, EventPublisher events, TimeProvider time)
{
    /// <summary>Call it in the transaction that stores the report.</summary>
    public async Task HandleAsync(Inbox inbox, MimeMessage dsn, CancellationToken ct)
    {
        if (!IsDeliveryReport(dsn.Body)) return;
        foreach (var rfcId in OriginalIds(dsn))
        {
            var original = await messages.FindByRfcIdAsync(inbox.Id, rfcId, ct);
            if (original is not { Direction: MessageDirection.Outbound } || original.Status == MessageStatus.Bounced) continue;
            await messages.UpdateStatusAsync(original.Id, MessageStatus.Bounced, time.GetUtcNow(), ct);
            original.Status = MessageStatus.Bounced;
            await events.PublishAsync(new MessageBounced(original, await messages.ListAttachmentsAsync(original.Id, ct)), ct);
            return;
        }
    }

    private static string? MessageIdOf(MimePart headers)
    {
        try { return MimeMessage.Parse(headers.GetContent()).MessageId; }
        catch (MimeFormatException) { return null; }
    }

    private static bool IsDeliveryReport(MimeEntity body) =>
        body.ContentType.Is("multipart", "report") && string.Equals(body.ContentType["report-type"], "delivery-status", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> OriginalIds(MimeMessage dsn)
    {
        if (dsn.Body is Multipart report)
        {
            foreach (var part in report.Children)
            {
                if (part is MessagePart returned && returned.Message.MessageId is { } id) yield return id;
                if (part is MimePart headers && part.ContentType.Is("text", "rfc822-headers") && MessageIdOf(headers) is { } headerId)
                    yield return headerId;
            }
        }
        if (dsn.InReplyTo is { } inReplyTo) yield return inReplyTo;
        foreach (var reference in dsn.References) yield return reference;
    }
}

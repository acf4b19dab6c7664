using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Mime;
using Mailroom.Server.Mail.Outbound;

namespace Mailroom.Server.Api.V0;

/// <summary>send, reply, reply-all and forward: each builds an <see cref="OutgoingMail"/> and hands it to the send service.</summary>
public static class SendEndpoints
{
    public sealed record SendRequest(object? To, object? Cc, object? Bcc, object? ReplyTo, string? Subject, string? Text, string? Html,
        List<string>? Labels, List<AttachmentRequest>? Attachments, Dictionary<string, string>? Headers);
    public sealed record AttachmentRequest(string? Filename, string? ContentType, string? Content, string? Url);
    public sealed record ReplyRequest(string? Text, string? Html, object? Cc, List<string>? Labels, List<AttachmentRequest>? Attachments);
    public sealed record ForwardRequest(object? To, object? Cc, string? Text, string? Html, List<string>? Labels);
    public sealed record SendResponse(string MessageId, string ThreadId);

    public static void MapSending(this RouteGroupBuilder v0)
    {
        var messages = v0.MapGroup("/inboxes/{inboxId}/messages");

        messages.MapPost("/send", (HttpContext http, string inboxId, OutgoingMailReader reader, SendService sender, IInboxRepository inboxes) =>
            SendAsync(http, inboxId, "send", inboxes, sender, async (inbox, body) => new OutgoingMail
            {
                To = reader.Recipients(body, "to", required: true), Cc = reader.Recipients(body, "cc"), Bcc = reader.Recipients(body, "bcc"),
                ReplyTo = reader.Recipients(body, "reply_to"), Subject = OutgoingMailReader.Subject(body), Text = OutgoingMailReader.Text(body, "text"),
                Html = OutgoingMailReader.Text(body, "html"), Labels = OutgoingMailReader.Labels(body), Headers = OutgoingMailReader.Headers(body),
                Attachments = await reader.AttachmentsAsync(body, http.RequestAborted),
            }))
            .Accepts<SendRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(400).Produces<ApiError>(404);

        messages.MapPost("/{messageId}/reply", (HttpContext http, string inboxId, string messageId, OutgoingMailReader reader, SendService sender,
                IInboxRepository inboxes, IMessageRepository store) =>
            SendAsync(http, inboxId, "reply:" + messageId, inboxes, sender, async (inbox, body) =>
            {
                var original = await OriginalAsync(store, inbox, messageId, http.RequestAborted);
                return await ReplyAsync(reader, inbox, original, body, [ReplyTarget(inbox, original)], [], http.RequestAborted);
            }))
            .Accepts<ReplyRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(404);

        messages.MapPost("/{messageId}/reply-all", (HttpContext http, string inboxId, string messageId, OutgoingMailReader reader, SendService sender,
                IInboxRepository inboxes, IMessageRepository store) =>
            SendAsync(http, inboxId, "reply-all:" + messageId, inboxes, sender, async (inbox, body) =>
            {
                var original = await OriginalAsync(store, inbox, messageId, http.RequestAborted);
                var to = new List<MailboxAddress> { ReplyTarget(inbox, original) };
                to.AddRange(original.To.Select(a => new MailboxAddress(null, a)));
                return await ReplyAsync(reader, inbox, original, body, to, original.Cc.Select(a => new MailboxAddress(null, a)).ToList(), http.RequestAborted);
            }))
            .Accepts<ReplyRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(404);

        messages.MapPost("/{messageId}/forward", (HttpContext http, string inboxId, string messageId, OutgoingMailReader reader, SendService sender,
                IInboxRepository inboxes, IMessageRepository store, IBlobStore blobs) =>
            SendAsync(http, inboxId, "forward:" + messageId, inboxes, sender, async (inbox, body) =>
            {
                var original = await OriginalAsync(store, inbox, messageId, http.RequestAborted);
                var files = new List<OutgoingFile>();
                foreach (var attachment in await store.ListAttachmentsAsync(original.Id, http.RequestAborted))
                {
                    await using var content = await blobs.OpenAsync(attachment.BlobKey, http.RequestAborted);
                    using var buffer = new MemoryStream();
                    await content.CopyToAsync(buffer, http.RequestAborted);
                    files.Add(new OutgoingFile(attachment.FileName, attachment.ContentType, buffer.ToArray(), attachment.ContentId,
                        attachment.Disposition == "inline"));
                }
                var text = OutgoingMailReader.Text(body, "text");
                var html = OutgoingMailReader.Text(body, "html");
                return new OutgoingMail
                {
                    To = reader.Recipients(body, "to", required: true), Cc = reader.Recipients(body, "cc"),
                    Subject = Prefixed("Fwd:", original.Subject), Labels = OutgoingMailReader.Labels(body),
                    Text = text ?? (html is null ? ForwardedText(original) : null),
                    Html = html ?? (text is null && original.Html is not null ? ForwardedHtml(original) : null),
                    Attachments = files,
                };
            }))
            .Accepts<ForwardRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(404);
    }

    private static async Task<IResult> SendAsync(HttpContext http, string inboxId, string operation, IInboxRepository inboxes, SendService sender,
        Func<Inbox, JsonObject, Task<OutgoingMail>> compose)
    {
        var inbox = await inboxes.GetAsync(Caller.Of(http).OrgId, inboxId, http.RequestAborted);
        if (inbox is null) return ApiError.NotFound("inbox");
        var body = await ApiJson.ReadAsync<JsonObject>(http.Request);
        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        if (key is not null) Check.Line("Idempotency-Key", key, 255);
        var mail = await compose(inbox, body);
        var result = await sender.SendAsync(inbox, mail, key is null ? null : operation + ":" + key, http.RequestAborted);
        return V0Routes.Ok(new SendResponse(result.MessageId, result.ThreadId));
    }

    private static async Task<Message> OriginalAsync(IMessageRepository store, Inbox inbox, string messageId, CancellationToken ct) =>
        await store.GetAsync(inbox.OrgId, inbox.Id, messageId, ct) ?? throw new NotFoundException("message");

    /// <summary>Who a reply goes to: the Reply-To of a received message, else its sender; for our own message, its first recipient.</summary>
    private static MailboxAddress ReplyTarget(Inbox inbox, Message original)
    {
        if (original.Direction == MessageDirection.Outbound && original.To.Count > 0) return new MailboxAddress(null, original.To[0]);
        if (original.ReplyTo.Count > 0) return new MailboxAddress(null, original.ReplyTo[0]);
        if (original.From is not null && MailboxAddress.TryParse(original.From, out var from)) return from;
        throw new ValidationException("message_id", "the message has no sender address to reply to");
    }

    private static async Task<OutgoingMail> ReplyAsync(OutgoingMailReader reader, Inbox inbox, Message original, JsonObject body,
        List<MailboxAddress> to, List<MailboxAddress> cc, CancellationToken ct)
    {
        // Everyone once, never the inbox itself.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { inbox.EmailAddress };
        var distinctTo = to.Where(a => seen.Add(a.Address)).ToList();
        var distinctCc = cc.Concat(reader.Recipients(body, "cc")).Where(a => seen.Add(a.Address)).ToList();
        if (distinctTo.Count == 0 && distinctCc.Count == 0) throw new ValidationException("to", "the message has nobody else to reply to");
        return new OutgoingMail
        {
            To = distinctTo, Cc = distinctCc, Subject = Prefixed("Re:", original.Subject), Text = OutgoingMailReader.Text(body, "text"),
            Html = OutgoingMailReader.Text(body, "html"), Labels = OutgoingMailReader.Labels(body),
            Attachments = await reader.AttachmentsAsync(body, ct), InReplyTo = original.RfcMessageId,
            References = original.References.Concat(original.RfcMessageId is null ? [] : [original.RfcMessageId]).ToList(),
            ThreadId = original.ThreadId,
        };
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

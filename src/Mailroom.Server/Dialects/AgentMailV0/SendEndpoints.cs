using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messaging;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>send, reply, reply-all and forward: each reads its body and calls the matching <see cref="Correspondence"/> use case.</summary>
public static class SendEndpoints
{
    public sealed record SendRequest(object? To, object? Cc, object? Bcc, object? ReplyTo, string? Subject, string? Text, string? Html,
        List<string>? Labels, List<AttachmentRequest>? Attachments, Dictionary<string, string>? Headers);
    public sealed record AttachmentRequest(string? Filename, string? ContentType, string? Content, string? Url);
    public sealed record ReplyRequest(string? Text, string? Html, object? Cc, List<string>? Labels, List<AttachmentRequest>? Attachments);
    public sealed record ForwardRequest(object? To, object? Cc, string? Text, string? Html, List<string>? Labels);
    public sealed record SendResponse(string MessageId, string ThreadId);

    /// <param name="maxBodyBytes">These routes carry a message, attachments included, so their body cap is the mail one.</param>
    public static void MapSending(this RouteGroupBuilder v0, long maxBodyBytes)
    {
        var messages = v0.MapGroup("/inboxes/{inboxId}/messages").CapBodyAt(maxBodyBytes);

        messages.MapPost("/send", (HttpContext http, string inboxId, SendRequestReader reader, Correspondence correspondence, IInboxRepository inboxes) =>
            SendAsync(http, inboxId, inboxes, async (body, orgId, key) => await correspondence.SendAsync(orgId, inboxId, new OutgoingMail
            {
                To = reader.Recipients(body, "to", required: true), Cc = reader.Recipients(body, "cc"), Bcc = reader.Recipients(body, "bcc"),
                ReplyTo = reader.Recipients(body, "reply_to"), Subject = SendRequestReader.Subject(body), Text = SendRequestReader.Text(body, "text"),
                Html = SendRequestReader.Text(body, "html"), Labels = SendRequestReader.Labels(body), Headers = SendRequestReader.Headers(body),
                Attachments = await reader.AttachmentsAsync(body, http.RequestAborted),
            }, key, http.RequestAborted)))
            .Accepts<SendRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(400).Produces<ApiError>(404);

        messages.MapPost("/{messageId}/reply", (HttpContext http, string inboxId, string messageId, SendRequestReader reader,
                Correspondence correspondence, IInboxRepository inboxes) =>
            SendAsync(http, inboxId, inboxes, async (body, orgId, key) =>
                await correspondence.ReplyAsync(orgId, inboxId, messageId, await ReplyContentAsync(reader, body, http), all: false, key, http.RequestAborted)))
            .Accepts<ReplyRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(404);

        messages.MapPost("/{messageId}/reply-all", (HttpContext http, string inboxId, string messageId, SendRequestReader reader,
                Correspondence correspondence, IInboxRepository inboxes) =>
            SendAsync(http, inboxId, inboxes, async (body, orgId, key) =>
                await correspondence.ReplyAsync(orgId, inboxId, messageId, await ReplyContentAsync(reader, body, http), all: true, key, http.RequestAborted)))
            .Accepts<ReplyRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(404);

        messages.MapPost("/{messageId}/forward", (HttpContext http, string inboxId, string messageId, SendRequestReader reader,
                Correspondence correspondence, IInboxRepository inboxes) =>
            SendAsync(http, inboxId, inboxes, (body, orgId, key) => correspondence.ForwardAsync(orgId, inboxId, messageId,
                new ForwardContent(reader.Recipients(body, "to", required: true), reader.Recipients(body, "cc"), SendRequestReader.Text(body, "text"),
                    SendRequestReader.Text(body, "html"), SendRequestReader.Labels(body)), key, http.RequestAborted)))
            .Accepts<ForwardRequest>("application/json").Produces<SendResponse>().Produces<ApiError>(404);
    }

    /// <summary>An unknown inbox is a 404 before the body is read; the <c>Idempotency-Key</c> header is one line of at most 255 characters.</summary>
    private static async Task<IResult> SendAsync(HttpContext http, string inboxId, IInboxRepository inboxes,
        Func<JsonObject, string, string?, Task<SendResult>> send)
    {
        var orgId = Caller.Of(http).OrgId;
        if (await inboxes.GetAsync(orgId, inboxId, http.RequestAborted) is null) return V0Errors.NotFound("inbox");
        var body = await V0Routes.ReadAsync<JsonObject>(http.Request);
        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        if (key is not null) Check.Line("Idempotency-Key", key, 255);
        var result = await send(body, orgId, key);
        return V0Routes.Ok(new SendResponse(result.MessageId, result.ThreadId));
    }

    private static async Task<ReplyContent> ReplyContentAsync(SendRequestReader reader, JsonObject body, HttpContext http) => new(
        SendRequestReader.Text(body, "text"), SendRequestReader.Text(body, "html"), reader.Recipients(body, "cc"), SendRequestReader.Labels(body),
        await reader.AttachmentsAsync(body, http.RequestAborted));
}

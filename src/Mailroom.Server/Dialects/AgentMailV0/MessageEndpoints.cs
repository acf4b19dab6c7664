using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

public static class MessageEndpoints
{
    public sealed record UpdateLabelsRequest(List<string>? Labels);
    public sealed record AttachmentResponse(string AttachmentId, string? Filename, long Size, string ContentType, string? ContentDisposition,
        string? ContentId, string DownloadUrl, DateTimeOffset ExpiresAt);

    public static void MapMessages(this RouteGroupBuilder v0)
    {
        var messages = v0.MapGroup("/inboxes/{inboxId}/messages");

        messages.MapGet("/", async (HttpContext http, IInboxRepository inboxes, IMessageRepository repository, string inboxId,
            string? page, string? page_size, string? spam) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var paging = V0Page.From(page, page_size);
            var spamView = V0SpamView.From(spam);
            if (await inboxes.GetAsync(orgId, inboxId, http.RequestAborted) is null) return V0Errors.NotFound("inbox");
            var list = await repository.ListAsync(orgId, inboxId, spamView, paging.Request, http.RequestAborted);
            var attachments = await repository.ListAttachmentsOfMessagesAsync(list.Items.Select(m => m.Id).ToList(), http.RequestAborted);
            var items = list.Items.Select(m => MessageViews.Item(m, attachments[m.Id])).ToList();
            return V0Routes.Ok(new V0Routes.ListResponse<MessageViews.MessageItem>(items, list.Total, paging.Number, paging.Size));
        }).Produces<V0Routes.ListResponse<MessageViews.MessageItem>>().Produces<ApiError>(404);

        messages.MapGet("/{messageId}", async (HttpContext http, IMessageRepository repository, string inboxId, string messageId) =>
        {
            var message = await repository.GetAsync(Caller.Of(http).OrgId, inboxId, messageId, http.RequestAborted);
            if (message is null) return V0Errors.NotFound("message");
            return V0Routes.Ok(MessageViews.Detail(message, await repository.ListAttachmentsAsync(message.Id, http.RequestAborted)));
        }).Produces<MessageViews.MessageDetail>().Produces<ApiError>(404);

        messages.MapPatch("/{messageId}", async (HttpContext http, Correspondence correspondence, string inboxId, string messageId) =>
        {
            var body = await V0Routes.ReadAsync<UpdateLabelsRequest>(http.Request);
            var labels = body.Labels ?? throw new ValidationException("labels", "is required");
            return await V0Routes.MissingAsResult(async () =>
            {
                var (message, attachments) = await correspondence.SetLabelsAsync(Caller.Of(http).OrgId, inboxId, messageId, labels, http.RequestAborted);
                return V0Routes.Ok(MessageViews.Detail(message, attachments));
            });
        }).Accepts<UpdateLabelsRequest>("application/json").Produces<MessageViews.MessageDetail>().Produces<ApiError>(404);

        messages.MapGet("/{messageId}/attachments/{attachmentId}", async (HttpContext http, IMessageRepository repository,
            AttachmentLinks links, string inboxId, string messageId, string attachmentId) =>
        {
            var orgId = Caller.Of(http).OrgId;
            if (await repository.GetAsync(orgId, inboxId, messageId, http.RequestAborted) is null) return V0Errors.NotFound("message");
            var attachment = await repository.GetAttachmentAsync(orgId, messageId, attachmentId, http.RequestAborted);
            if (attachment is null) return V0Errors.NotFound("attachment");
            var (url, expires) = links.Create(http.Request, attachment.Id);
            return V0Routes.Ok(new AttachmentResponse(attachment.Id, attachment.FileName, attachment.Size, attachment.ContentType,
                attachment.Disposition, attachment.ContentId, url, expires));
        }).Produces<AttachmentResponse>().Produces<ApiError>(404);
    }
}

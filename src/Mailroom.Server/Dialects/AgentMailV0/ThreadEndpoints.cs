using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

public static class ThreadEndpoints
{
    public static void MapThreads(this RouteGroupBuilder v0)
    {
        var threads = v0.MapGroup("/inboxes/{inboxId}/threads");

        threads.MapGet("/", async (HttpContext http, IInboxRepository inboxes, IThreadRepository repository, string inboxId, string? page, string? page_size,
            string? spam) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var paging = V0Page.From(page, page_size);
            var spamView = V0SpamView.From(spam);
            if (await inboxes.GetAsync(orgId, inboxId, http.RequestAborted) is null) return V0Errors.NotFound("inbox");
            var list = await repository.ListAsync(orgId, inboxId, spamView, paging.Request, http.RequestAborted);
            return V0Routes.Ok(paging.List(list, MessageViews.Item));
        }).Produces<V0Routes.ListResponse<MessageViews.ThreadItem>>().Produces<ApiError>(404);

        threads.MapGet("/{threadId}", async (HttpContext http, IThreadRepository repository, IMessageRepository messages, string inboxId, string threadId) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var thread = await repository.GetAsync(orgId, inboxId, threadId, http.RequestAborted);
            if (thread is null) return V0Errors.NotFound("thread");
            var inThread = await messages.ListByThreadAsync(orgId, thread.Id, http.RequestAborted);
            var attachments = await messages.ListAttachmentsOfMessagesAsync(inThread.Select(m => m.Id).ToList(), http.RequestAborted);
            var details = inThread.Select(m => MessageViews.Detail(m, attachments[m.Id])).ToList();
            return V0Routes.Ok(new MessageViews.ThreadDetail(inboxId, thread.Id, thread.Subject, thread.MessageCount, thread.Preview,
                thread.Labels, thread.Senders, thread.Recipients, thread.LastActivityAt, details));
        }).Produces<MessageViews.ThreadDetail>().Produces<ApiError>(404);

        threads.MapDelete("/{threadId}", (HttpContext http, MailDeletion deletion, string inboxId, string threadId) => V0Routes.MissingAsResult(async () =>
        {
            await deletion.DeleteThreadAsync(Caller.Of(http).OrgId, inboxId, threadId, http.RequestAborted);
            return Results.NoContent();
        })).Produces(204).Produces<ApiError>(404);
    }
}

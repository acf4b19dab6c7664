using Mailroom.Core.ApiKeys;
using Mailroom.Core.Identities;
using Mailroom.Core.Messages;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.IdentitiesV1;

public static class ThreadEndpoints
{
    public sealed record ThreadResponse(string Id, string? IdentityId, string EmailAddress, string? Subject, string Status, bool NeedsReview,
        int MessageCount, IReadOnlyList<string> Senders, IReadOnlyList<string> Recipients, string? Preview, DateTimeOffset LastActivityAt,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record MessageResponse(string Id, string Direction, string Status, string? From, IReadOnlyList<string> To, IReadOnlyList<string> Cc,
        string? Subject, string? BodyText, string? BodyHtml, string? RfcMessageId, string? InReplyTo, DateTimeOffset Timestamp);

    public sealed record ThreadWithMessagesResponse(string Id, string? IdentityId, string EmailAddress, string? Subject, string Status, bool NeedsReview,
        int MessageCount, IReadOnlyList<string> Senders, IReadOnlyList<string> Recipients, string? Preview, DateTimeOffset LastActivityAt,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<MessageResponse> Messages);

    public static ThreadResponse ToResponse(ThreadOverview o)
    {
        var t = o.Thread;
        return new ThreadResponse(t.Id, t.InboxId, t.InboxAddress ?? "", t.Subject, o.Status, o.Status == ThreadStatus.DraftPending, t.MessageCount,
            t.Senders, t.Recipients, t.Preview, t.LastActivityAt, t.CreatedAt, t.UpdatedAt);
    }

    private static MessageResponse ToResponse(Message m) =>
        new(m.Id, m.Direction, m.Status, m.From, m.To, m.Cc, m.Subject, m.Text, m.Html, m.RfcMessageId, m.InReplyTo, m.Timestamp);

    public static void MapIdentityThreads(this RouteGroupBuilder v1)
    {
        var threads = v1.MapGroup("/threads");

        threads.MapGet("/", async (HttpContext http, IdentityThreads service, string? identity_id, string? needs_review, string? status, string? limit,
            string? offset, string? spam) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ReadThreads);
            var page = V1Routes.Page(limit, offset);
            var list = await service.ListAsync(Caller.Of(http).OrgId,
                new ThreadFilter(identity_id, status, V1Routes.Flag("needs_review", needs_review), V1Routes.Flag("spam", spam) ?? false), page,
                http.RequestAborted);
            return V1Routes.Ok(V1Routes.List(list, page, ToResponse));
        });

        threads.MapGet("/{threadId}", async (HttpContext http, IdentityThreads service, string threadId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ReadThreads);
            var history = await service.GetAsync(Caller.Of(http).OrgId, threadId, http.RequestAborted);
            var t = ToResponse(history.Overview);
            return V1Routes.Ok(new ThreadWithMessagesResponse(t.Id, t.IdentityId, t.EmailAddress, t.Subject, t.Status, t.NeedsReview, t.MessageCount,
                t.Senders, t.Recipients, t.Preview, t.LastActivityAt, t.CreatedAt, t.UpdatedAt, history.Messages.Select(ToResponse).ToList()));
        });
    }
}

using System.Text.Json;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Drafts;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.IdentitiesV1;

public static class DraftEndpoints
{
    public sealed record NoticeView(string Type, int Version, bool Escalated, DateTimeOffset PostedAt);

    public sealed record DraftResponse(string Id, string? IdentityId, string? ThreadId, string? BasedOnMessageId, string Status, int Version,
        string? Subject, string BodyText, string? BodyHtml, IReadOnlyList<string> To, IReadOnlyList<string> Cc, string? Rationale, JsonElement? Metadata,
        IReadOnlyList<NoticeView> Notifications, DateTimeOffset? EscalationDueAt, DateTimeOffset? EscalatedAt, string? DecidedBy, DateTimeOffset? DecidedAt,
        string? RejectReason, string? SentMessageId, string? Failure, string? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record VersionResponse(int Version, string? Subject, string BodyText, string? BodyHtml, IReadOnlyList<string> To, IReadOnlyList<string> Cc,
        string? Rationale, JsonElement? Metadata, string? EditedBy, DateTimeOffset CreatedAt);

    public static DraftResponse ToResponse(Draft d) => new(d.Id, d.InboxId, d.ThreadId, d.BasedOnMessageId, d.State, d.Version, d.Content.Subject,
        d.Content.Text, d.Content.Html, d.Content.To, d.Content.Cc, d.Content.Rationale, d.Content.Metadata,
        d.Notices.Select(n => new NoticeView(n.Type, n.Version, n.Escalated, n.PostedAt)).ToList(), d.EscalationDueAt, d.EscalatedAt, d.DecidedBy,
        d.DecidedAt, d.RejectReason, d.SentMessageId, d.Failure, d.CreatedBy, d.CreatedAt, d.UpdatedAt);

    public static void MapDrafts(this RouteGroupBuilder v1)
    {
        var drafts = v1.MapGroup("/drafts");

        drafts.MapPost("/", async (HttpContext http, DraftService service) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.WriteDrafts);
            var body = new V1Body(await V1Routes.ReadAsync(http.Request));
            var submitted = await service.SubmitAsync(Caller.Of(http).OrgId, new NewDraft
            {
                IdentityId = body.String("identity_id"), ThreadId = body.String("thread_id"), BasedOnMessageId = body.String("based_on_message_id"),
                Subject = body.String("subject"), Text = body.String("body_text"), Html = body.String("body_html"), To = body.Strings("to"),
                Cc = body.Strings("cc"), Rationale = body.String("rationale"), Metadata = body.Element("metadata"),
            }, V1Routes.Actor(http), http.RequestAborted);
            // The create answer is the draft with stale_warning added.
            var node = JsonSerializer.SerializeToNode(ToResponse(submitted.Draft), V1Json.Options)!.AsObject();
            node["stale_warning"] = submitted.StaleWarning;
            return Results.Text(node.ToJsonString(V1Json.Options), "application/json", statusCode: StatusCodes.Status201Created);
        });

        drafts.MapGet("/", async (HttpContext http, DraftService service, string? identity_id, string? thread_id, string? status, string? limit, string? offset) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ReadThreads);
            var page = V1Routes.Page(limit, offset);
            var list = await service.ListAsync(Caller.Of(http).OrgId, new DraftFilter(identity_id, thread_id, status), page, http.RequestAborted);
            return V1Routes.Ok(V1Routes.List(list, page, ToResponse));
        });

        drafts.MapGet("/{draftId}", async (HttpContext http, DraftService service, string draftId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ReadThreads);
            return V1Routes.Ok(ToResponse(await service.GetAsync(Caller.Of(http).OrgId, draftId, http.RequestAborted)));
        });

        drafts.MapPatch("/{draftId}", async (HttpContext http, DraftService service, string draftId) =>
        {
            ScopeCheck.RequireAny(http, ApiKeyScopes.WriteDrafts, ApiKeyScopes.ApproveDrafts);
            var body = new V1Body(await V1Routes.ReadAsync(http.Request));
            foreach (var fixedField in new[] { "identity_id", "thread_id", "based_on_message_id" })
                if (body.Has(fixedField)) throw new Core.Common.ValidationException(fixedField, "cannot be changed; submit a new draft");
            var draft = await service.EditAsync(Caller.Of(http).OrgId, draftId, new DraftEdit
            {
                Subject = body.Change("subject", body.String), Text = body.Change("body_text", body.String), Html = body.Change("body_html", body.String),
                To = body.Change("to", body.Strings), Cc = body.Change("cc", body.Strings), Rationale = body.Change("rationale", body.String),
                Metadata = body.Change("metadata", body.Element),
            }, V1Routes.Actor(http), http.RequestAborted);
            return V1Routes.Ok(ToResponse(draft));
        });

        drafts.MapPost("/{draftId}/approve", async (HttpContext http, DraftService service, string draftId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ApproveDrafts);
            var draft = await service.DecideThroughApiAsync(Caller.Of(http).OrgId, draftId, V1Routes.Actor(http), approve: true, null, http.RequestAborted);
            return V1Routes.Ok(ToResponse(draft));
        });

        drafts.MapPost("/{draftId}/reject", async (HttpContext http, DraftService service, string draftId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ApproveDrafts);
            // The body is optional: {"reason": "..."} or nothing.
            var reason = http.Request.ContentLength is null or 0 && !http.Request.Headers.TransferEncoding.Any()
                ? null : new V1Body(await V1Routes.ReadAsync(http.Request)).String("reason");
            var draft = await service.DecideThroughApiAsync(Caller.Of(http).OrgId, draftId, V1Routes.Actor(http), approve: false, reason, http.RequestAborted);
            return V1Routes.Ok(ToResponse(draft));
        });

        drafts.MapPost("/{draftId}/send", async (HttpContext http, DraftService service, string draftId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ApproveDrafts);
            return V1Routes.Ok(ToResponse(await service.SendAsync(Caller.Of(http).OrgId, draftId, V1Routes.Actor(http), http.RequestAborted)));
        });

        drafts.MapPost("/{draftId}/notify", async (HttpContext http, DraftService service, string draftId) =>
        {
            ScopeCheck.RequireAny(http, ApiKeyScopes.WriteDrafts, ApiKeyScopes.ApproveDrafts);
            return V1Routes.Ok(ToResponse(await service.NotifyAsync(Caller.Of(http).OrgId, draftId, http.RequestAborted)));
        });

        drafts.MapGet("/{draftId}/versions", async (HttpContext http, DraftService service, string draftId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ReadThreads);
            var versions = await service.VersionsAsync(Caller.Of(http).OrgId, draftId, http.RequestAborted);
            return V1Routes.Ok(new
            {
                data = versions.Select(v => new VersionResponse(v.Version, v.Content.Subject, v.Content.Text, v.Content.Html, v.Content.To, v.Content.Cc,
                    v.Content.Rationale, v.Content.Metadata, v.EditedBy, v.CreatedAt)).ToList(),
            });
        });
    }
}

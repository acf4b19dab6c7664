using Mailroom.Core.ApiKeys;
using Mailroom.Core.Approvals;
using Mailroom.Core.Identities;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.IdentitiesV1;

public static class IdentityEndpoints
{
    public sealed record ChannelView(string Type, IReadOnlyDictionary<string, string> Config);

    public sealed record IdentityResponse(string Id, string WorkspaceId, string DomainId, string LocalPart, string EmailAddress, string? DisplayName,
        string? AssistantId, string? ReplyToEmail, string? SignatureText, string? SignatureHtml, int ThreadHistoryDepth, string Status,
        ChannelView? ApprovalChannel, ChannelView? SecondaryApprovalChannel, int? EscalationDelayMinutes, bool CanSendCold, bool AutoApproveReplies,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record TestEmailResponse(string TaskId);

    public static IdentityResponse ToResponse(Identity identity, ApprovalChannelStore channels)
    {
        var i = identity.Inbox;
        ChannelView? View(StoredChannel? c) => c is null ? null : new ChannelView(c.Config.Type, channels.Masked(c.Config));
        return new IdentityResponse(i.Id, i.OrgId, identity.DomainId, i.Username, i.EmailAddress, i.DisplayName, i.AssistantId, i.ReplyTo,
            i.SignatureText, i.SignatureHtml, i.ThreadHistoryDepth, i.Status, View(identity.ApprovalChannel), View(identity.SecondaryApprovalChannel),
            i.EscalationDelaySeconds is { } seconds ? seconds / 60 : null, i.CanSendCold, i.AutoApproveReplies, i.CreatedAt, i.UpdatedAt);
    }

    public static void MapIdentities(this RouteGroupBuilder v1)
    {
        var identities = v1.MapGroup("/identities");

        identities.MapPost("/", async (HttpContext http, IdentityService service, ApprovalChannelStore channels) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ManageSettings);
            var body = new V1Body(await V1Routes.ReadAsync(http.Request));
            if (body.Has("email_address")) throw new Core.Common.ValidationException("email_address", "is derived from local_part and the domain; do not send it");
            var identity = await service.CreateAsync(Caller.Of(http).OrgId, new NewIdentity
            {
                DomainId = body.String("domain_id"), LocalPart = body.String("local_part"), DisplayName = body.String("display_name"),
                AssistantId = body.String("assistant_id"), ReplyTo = body.String("reply_to_email"), SignatureText = body.String("signature_text"),
                SignatureHtml = body.String("signature_html"), ThreadHistoryDepth = body.Int("thread_history_depth"), CanSendCold = body.Bool("can_send_cold"),
                AutoApproveReplies = body.Bool("auto_approve_replies"), ApprovalChannel = body.Channel("approval_channel"),
                SecondaryApprovalChannel = body.Channel("secondary_approval_channel"), EscalationDelayMinutes = body.Int("escalation_delay_minutes"),
            }, http.RequestAborted);
            return V1Routes.Ok(ToResponse(identity, channels), StatusCodes.Status201Created);
        });

        identities.MapGet("/", async (HttpContext http, IdentityService service, ApprovalChannelStore channels, string? domain_id, string? status,
            string? limit, string? offset) =>
        {
            ScopeCheck.RequireAny(http, ApiKeyScopes.ReadThreads, ApiKeyScopes.ManageSettings);
            var page = V1Routes.Page(limit, offset);
            var list = await service.ListAsync(Caller.Of(http).OrgId, new IdentityFilter(domain_id, status), page, http.RequestAborted);
            return V1Routes.Ok(V1Routes.List(list, page, i => ToResponse(i, channels)));
        });

        identities.MapGet("/{identityId}", async (HttpContext http, IdentityService service, ApprovalChannelStore channels, string identityId) =>
        {
            ScopeCheck.RequireAny(http, ApiKeyScopes.ReadThreads, ApiKeyScopes.ManageSettings);
            return V1Routes.Ok(ToResponse(await service.GetAsync(Caller.Of(http).OrgId, identityId, http.RequestAborted), channels));
        });

        identities.MapPatch("/{identityId}", async (HttpContext http, IdentityService service, ApprovalChannelStore channels, string identityId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ManageSettings);
            var body = new V1Body(await V1Routes.ReadAsync(http.Request));
            foreach (var fixedField in new[] { "email_address", "local_part", "domain_id" })
                if (body.Has(fixedField)) throw new Core.Common.ValidationException(fixedField, "cannot be changed once the identity exists");
            var identity = await service.UpdateAsync(Caller.Of(http).OrgId, identityId, new IdentityChanges
            {
                DisplayName = body.Change("display_name", body.String), AssistantId = body.Change("assistant_id", body.String),
                ReplyTo = body.Change("reply_to_email", body.String), SignatureText = body.Change("signature_text", body.String),
                SignatureHtml = body.Change("signature_html", body.String), ThreadHistoryDepth = body.Change("thread_history_depth", body.Int),
                CanSendCold = body.Change("can_send_cold", body.Bool), AutoApproveReplies = body.Change("auto_approve_replies", body.Bool),
                Status = body.Change("status", body.String), ApprovalChannel = body.Change("approval_channel", body.Channel),
                SecondaryApprovalChannel = body.Change("secondary_approval_channel", body.Channel),
                EscalationDelayMinutes = body.Change("escalation_delay_minutes", body.Int),
            }, http.RequestAborted);
            return V1Routes.Ok(ToResponse(identity, channels));
        });

        identities.MapDelete("/{identityId}", async (HttpContext http, IdentityService service, string identityId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ManageSettings);
            await service.DeleteAsync(Caller.Of(http).OrgId, identityId, http.RequestAborted);
            return Results.NoContent();
        });

        identities.MapPost("/{identityId}/test-email", async (HttpContext http, TestEmails tests, string identityId) =>
        {
            ScopeCheck.Require(http, ApiKeyScopes.ManageSettings);
            var body = new V1Body(await V1Routes.ReadAsync(http.Request));
            var task = await tests.SendAsync(Caller.Of(http).OrgId, identityId, body.String("recipient_email"), http.RequestAborted);
            return V1Routes.Ok(new TestEmailResponse(task.Id), StatusCodes.Status202Accepted);
        });
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Agents;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.InkboxV1;

/// <summary>Mailboxes are inboxes, named here by their address; the id is the inbox id's UUID form.</summary>
public static class MailboxEndpoints
{
    public sealed record CreateMailboxRequest(string? AgentHandle, string? DisplayName, string? EmailLocalPart);
    public sealed record UpdateMailboxRequest(string? DisplayName, string? WebhookUrl);
    public sealed record MailboxResponse(Guid Id, string EmailAddress, string? DisplayName, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    /// <summary>One mailbox with its webhook; <c>webhook_secret</c> only in the answer that made the webhook.</summary>
    public sealed record MailboxDetailResponse(Guid Id, string EmailAddress, string? DisplayName, string Status, string? WebhookUrl,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? WebhookSecret,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static MailboxResponse ToResponse(Inbox i) => new(InkboxRoutes.Uuid(i.Id), i.EmailAddress, i.DisplayName, i.Status, i.CreatedAt, i.UpdatedAt);

    private static MailboxDetailResponse Detail(Inbox i, string? webhookUrl, string? webhookSecret = null) =>
        new(InkboxRoutes.Uuid(i.Id), i.EmailAddress, i.DisplayName, i.Status, webhookUrl, webhookSecret, i.CreatedAt, i.UpdatedAt);

    public static void MapMailboxes(this RouteGroupBuilder v1)
    {
        var mailboxes = v1.MapGroup("/mail/mailboxes");

        mailboxes.MapPost("/", async (HttpContext http, MailboxService service) =>
        {
            var body = await InkboxRoutes.ReadAsync<CreateMailboxRequest>(http.Request);
            var inbox = await service.CreateAsync(Caller.Of(http).OrgId, new NewMailbox(body.AgentHandle, body.DisplayName, body.EmailLocalPart),
                http.RequestAborted);
            return InkboxRoutes.Created(ToResponse(inbox));
        }).Accepts<CreateMailboxRequest>("application/json").Produces<MailboxResponse>(201);

        mailboxes.MapGet("/", async (HttpContext http, IInboxRepository inboxes, string? limit, string? offset) =>
        {
            var page = await inboxes.ListAsync(Caller.Of(http).OrgId, InkboxRoutes.Page(limit, offset), http.RequestAborted);
            return InkboxRoutes.Ok(page.Items.Select(ToResponse).ToList());
        }).Produces<List<MailboxResponse>>();

        mailboxes.MapGet("/{emailAddress}", async (HttpContext http, MailboxService service, string emailAddress) =>
        {
            var inbox = await service.GetAsync(Caller.Of(http).OrgId, emailAddress, http.RequestAborted);
            return InkboxRoutes.Ok(Detail(inbox, await service.WebhookUrlAsync(inbox, http.RequestAborted)));
        }).Produces<MailboxDetailResponse>();

        mailboxes.MapPatch("/{emailAddress}", async (HttpContext http, MailboxService service, InboxService inboxes, string emailAddress) =>
        {
            // An absent field leaves it as it is; null clears it (a null webhook_url removes the webhook).
            var body = await InkboxRoutes.ReadAsync<JsonObject>(http.Request);
            var orgId = Caller.Of(http).OrgId;
            var inbox = await service.GetAsync(orgId, emailAddress, http.RequestAborted);
            if (body.TryGetPropertyValue("display_name", out var displayName))
            {
                var name = displayName is null ? null
                    : displayName.GetValueKind() == JsonValueKind.String ? displayName.GetValue<string>()
                    : throw new ValidationException("display_name", "must be a string or null");
                inbox = await inboxes.UpdateDisplayNameAsync(orgId, inbox.Id, name, http.RequestAborted);
            }
            if (!body.TryGetPropertyValue("webhook_url", out var webhookUrl))
                return InkboxRoutes.Ok(Detail(inbox, await service.WebhookUrlAsync(inbox, http.RequestAborted)));
            var url = webhookUrl is null ? null
                : webhookUrl.GetValueKind() == JsonValueKind.String ? webhookUrl.GetValue<string>()
                : throw new ValidationException("webhook_url", "must be a string or null");
            var webhook = await service.SetWebhookAsync(inbox, url, http.RequestAborted);
            return InkboxRoutes.Ok(Detail(inbox, webhook.Url, webhook.NewSecret));
        }).Accepts<UpdateMailboxRequest>("application/json").Produces<MailboxDetailResponse>();

        // As a v0 inbox delete: the mailbox goes with its mail and its webhook; an identity that had it keeps its phone number.
        mailboxes.MapDelete("/{emailAddress}", async (HttpContext http, MailboxService service, string emailAddress) =>
        {
            var inbox = await service.GetAsync(Caller.Of(http).OrgId, emailAddress, http.RequestAborted);
            await service.DeleteAsync(inbox, http.RequestAborted);
            return Results.NoContent();
        }).Produces(204);
    }
}

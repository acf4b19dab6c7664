using Mailroom.Core.Common;
using Mailroom.Core.Webhooks;

namespace Mailroom.Server.Api.V0;

public static class WebhookEndpoints
{
    public sealed record CreateWebhookRequest(string? Url, List<string>? EventTypes, List<string>? InboxIds, string? ClientId);
    public sealed record UpdateWebhookRequest(string? Url, List<string>? EventTypes, List<string>? InboxIds, bool? Enabled);
    public sealed record WebhookResponse(string WebhookId, string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string> InboxIds,
        bool Enabled, string? ClientId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    public sealed record CreatedWebhookResponse(string WebhookId, string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string> InboxIds,
        bool Enabled, string? ClientId, string Secret, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static WebhookResponse ToResponse(Webhook w) =>
        new(w.Id, w.Url, w.EventTypes, w.InboxIds, w.Enabled, w.ClientId, w.CreatedAt, w.UpdatedAt);

    public static void MapWebhooks(this RouteGroupBuilder v0)
    {
        var webhooks = v0.MapGroup("/webhooks");

        webhooks.MapPost("/", async (HttpContext http, WebhookService service) =>
        {
            var body = await ApiJson.ReadAsync<CreateWebhookRequest>(http.Request);
            var (w, secret) = await service.CreateAsync(Caller.Of(http).OrgId, body.Url, body.EventTypes, body.InboxIds, body.ClientId, http.RequestAborted);
            return V0Routes.Created(new CreatedWebhookResponse(w.Id, w.Url, w.EventTypes, w.InboxIds, w.Enabled, w.ClientId, secret, w.CreatedAt, w.UpdatedAt));
        }).Accepts<CreateWebhookRequest>("application/json").Produces<CreatedWebhookResponse>(201).Produces<ApiError>(400);

        webhooks.MapGet("/", async (HttpContext http, IWebhookRepository repository, string? page, string? page_size) =>
        {
            var list = await repository.ListAsync(Caller.Of(http).OrgId, PageRequest.From(page, page_size), http.RequestAborted);
            return V0Routes.Ok(list.ToList(ToResponse));
        }).Produces<V0Routes.ListResponse<WebhookResponse>>();

        webhooks.MapGet("/{webhookId}", async (HttpContext http, IWebhookRepository repository, string webhookId) =>
            await repository.GetAsync(Caller.Of(http).OrgId, webhookId, http.RequestAborted) is { } webhook
                ? V0Routes.Ok(ToResponse(webhook))
                : ApiError.NotFound("webhook"))
            .Produces<WebhookResponse>().Produces<ApiError>(404);

        webhooks.MapPatch("/{webhookId}", async (HttpContext http, WebhookService service, string webhookId) =>
        {
            var body = await ApiJson.ReadAsync<UpdateWebhookRequest>(http.Request);
            var webhook = await service.UpdateAsync(Caller.Of(http).OrgId, webhookId,
                new WebhookChanges(body.Url, body.EventTypes, body.InboxIds, body.Enabled), http.RequestAborted);
            return V0Routes.Ok(ToResponse(webhook));
        }).Accepts<UpdateWebhookRequest>("application/json").Produces<WebhookResponse>().Produces<ApiError>(404);

        webhooks.MapDelete("/{webhookId}", async (HttpContext http, IWebhookRepository repository, string webhookId) =>
            await repository.DeleteAsync(Caller.Of(http).OrgId, webhookId, http.RequestAborted)
                ? Results.NoContent()
                : ApiError.NotFound("webhook"))
            .Produces(204).Produces<ApiError>(404);
    }
}

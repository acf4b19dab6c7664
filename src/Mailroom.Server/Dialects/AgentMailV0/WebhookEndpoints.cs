using Mailroom.Core.Common;
using Mailroom.Core.Webhooks;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

public static class WebhookEndpoints
{
    public sealed record CreateWebhookRequest(string? Url, List<string>? EventTypes, List<string>? InboxIds, string? ClientId);
    public sealed record UpdateWebhookRequest(string? Url, List<string>? EventTypes, List<string>? InboxIds, bool? Enabled);
    public sealed record WebhookResponse(string WebhookId, string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string> InboxIds,
        bool Enabled, string? ClientId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    public sealed record CreatedWebhookResponse(string WebhookId, string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string> InboxIds,
        bool Enabled, string? ClientId, string Secret, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record AttemptResponse(DateTimeOffset AttemptedAt, int? StatusCode, long LatencyMs, string? Error);
    public sealed record DeliveryResponse(string DeliveryId, string WebhookId, string EventId, string Status, int Attempts,
        DateTimeOffset? NextAttemptAt, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt, DateTimeOffset CreatedAt,
        IReadOnlyList<AttemptResponse>? AttemptLog);

    public static DeliveryResponse ToResponse(WebhookDelivery d, IReadOnlyList<WebhookAttempt>? attempts) =>
        new(d.Id, d.WebhookId, d.EventId, d.Status, d.Attempts, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null,
            d.LastStatusCode, d.LastError, d.DeliveredAt, d.CreatedAt,
            attempts?.Select(a => new AttemptResponse(a.AttemptedAt, a.StatusCode, a.LatencyMs, a.Error)).ToList());

    public static WebhookResponse ToResponse(Webhook w) =>
        new(w.Id, w.Url, w.EventTypes, w.InboxIds, w.Enabled, w.ClientId, w.CreatedAt, w.UpdatedAt);

    public static void MapWebhooks(this RouteGroupBuilder v0)
    {
        var webhooks = v0.MapGroup("/webhooks");

        webhooks.MapPost("/", async (HttpContext http, WebhookService service) =>
        {
            var body = await V0Routes.ReadAsync<CreateWebhookRequest>(http.Request);
            var (w, secret) = await service.CreateAsync(Caller.Of(http).OrgId, body.Url, body.EventTypes, body.InboxIds, body.ClientId, http.RequestAborted);
            return V0Routes.Created(new CreatedWebhookResponse(w.Id, w.Url, w.EventTypes, w.InboxIds, w.Enabled, w.ClientId, secret, w.CreatedAt, w.UpdatedAt));
        }).Accepts<CreateWebhookRequest>("application/json").Produces<CreatedWebhookResponse>(201).Produces<ApiError>(400);

        webhooks.MapGet("/", async (HttpContext http, IWebhookRepository repository, string? page, string? page_size) =>
        {
            var paging = V0Page.From(page, page_size);
            var list = await repository.ListAsync(Caller.Of(http).OrgId, paging.Request, http.RequestAborted);
            return V0Routes.Ok(paging.List(list, ToResponse));
        }).Produces<V0Routes.ListResponse<WebhookResponse>>();

        webhooks.MapGet("/{webhookId}", async (HttpContext http, IWebhookRepository repository, string webhookId) =>
            await repository.GetAsync(Caller.Of(http).OrgId, webhookId, http.RequestAborted) is { } webhook
                ? V0Routes.Ok(ToResponse(webhook))
                : V0Errors.NotFound("webhook"))
            .Produces<WebhookResponse>().Produces<ApiError>(404);

        webhooks.MapPatch("/{webhookId}", async (HttpContext http, WebhookService service, string webhookId) =>
        {
            var body = await V0Routes.ReadAsync<UpdateWebhookRequest>(http.Request);
            var webhook = await service.UpdateAsync(Caller.Of(http).OrgId, webhookId,
                new WebhookChanges(body.Url, body.EventTypes, body.InboxIds, body.Enabled), http.RequestAborted);
            return V0Routes.Ok(ToResponse(webhook));
        }).Accepts<UpdateWebhookRequest>("application/json").Produces<WebhookResponse>().Produces<ApiError>(404);

        webhooks.MapGet("/{webhookId}/deliveries", async (HttpContext http, IWebhookRepository repository, IWebhookDeliveryRepository deliveries,
            string webhookId, string? page, string? page_size) =>
        {
            var paging = V0Page.From(page, page_size);
            var orgId = Caller.Of(http).OrgId;
            if (await repository.GetAsync(orgId, webhookId, http.RequestAborted) is null) return V0Errors.NotFound("webhook");
            var list = await deliveries.ListAsync(orgId, webhookId, paging.Request, http.RequestAborted);
            return V0Routes.Ok(paging.List(list, d => ToResponse(d, null)));
        }).Produces<V0Routes.ListResponse<DeliveryResponse>>().Produces<ApiError>(404);

        webhooks.MapGet("/{webhookId}/deliveries/{deliveryId}", async (HttpContext http, IWebhookDeliveryRepository deliveries, string webhookId, string deliveryId) =>
        {
            var delivery = await deliveries.GetAsync(Caller.Of(http).OrgId, webhookId, deliveryId, http.RequestAborted);
            if (delivery is null) return V0Errors.NotFound("delivery");
            return V0Routes.Ok(ToResponse(delivery, await deliveries.ListAttemptsAsync(delivery.Id, http.RequestAborted)));
        }).Produces<DeliveryResponse>().Produces<ApiError>(404);

        webhooks.MapPost("/{webhookId}/deliveries/{deliveryId}/retry", async (HttpContext http, IWebhookDeliveryRepository deliveries,
            TimeProvider time, string webhookId, string deliveryId) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var delivery = await deliveries.GetAsync(orgId, webhookId, deliveryId, http.RequestAborted);
            if (delivery is null) return V0Errors.NotFound("delivery");
            await deliveries.RescheduleAsync(delivery.Id, time.GetUtcNow(), http.RequestAborted);
            var rescheduled = await deliveries.GetAsync(orgId, webhookId, deliveryId, http.RequestAborted);
            return Results.Json(ToResponse(rescheduled!, null), V0Json.Options, statusCode: StatusCodes.Status202Accepted);
        }).Produces<DeliveryResponse>(202).Produces<ApiError>(404);

        webhooks.MapDelete("/{webhookId}", async (HttpContext http, IWebhookRepository repository, string webhookId) =>
            await repository.DeleteAsync(Caller.Of(http).OrgId, webhookId, http.RequestAborted)
                ? Results.NoContent()
                : V0Errors.NotFound("webhook"))
            .Produces(204).Produces<ApiError>(404);
    }
}

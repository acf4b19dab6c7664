using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

public static class InboxEndpoints
{
    public sealed record CreateInboxRequest(string? Username, string? Domain, string? DisplayName, string? ClientId);
    public sealed record UpdateInboxRequest(string? DisplayName);
    public sealed record InboxResponse(string InboxId, string EmailAddress, string Username, string Domain, string? DisplayName,
        string? ClientId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static InboxResponse ToResponse(Inbox i) =>
        new(i.Id, i.EmailAddress, i.Username, i.Domain, i.DisplayName, i.ClientId, i.CreatedAt, i.UpdatedAt);

    public static void MapInboxes(this RouteGroupBuilder v0)
    {
        var inboxes = v0.MapGroup("/inboxes");

        inboxes.MapPost("/", async (HttpContext http, InboxService service) =>
        {
            var body = await V0Routes.ReadAsync<CreateInboxRequest>(http.Request);
            var result = await service.CreateAsync(Caller.Of(http).OrgId,
                new NewInbox(body.Username, body.Domain, body.DisplayName, body.ClientId), http.RequestAborted);
            // A client_id replay answers 200 with the inbox the first call made.
            return result.Created ? V0Routes.Created(ToResponse(result.Inbox)) : V0Routes.Ok(ToResponse(result.Inbox));
        }).Accepts<CreateInboxRequest>("application/json").Produces<InboxResponse>(201).Produces<ApiError>(400).Produces<ApiError>(409);

        inboxes.MapGet("/", async (HttpContext http, IInboxRepository repository, string? page, string? page_size) =>
        {
            var paging = V0Page.From(page, page_size);
            var list = await repository.ListAsync(Caller.Of(http).OrgId, paging.Request, http.RequestAborted);
            return V0Routes.Ok(paging.List(list, ToResponse));
        }).Produces<V0Routes.ListResponse<InboxResponse>>();

        inboxes.MapGet("/{inboxId}", async (HttpContext http, IInboxRepository repository, string inboxId) =>
            await repository.GetAsync(Caller.Of(http).OrgId, inboxId, http.RequestAborted) is { } inbox
                ? V0Routes.Ok(ToResponse(inbox))
                : V0Errors.NotFound("inbox"))
            .Produces<InboxResponse>().Produces<ApiError>(404);

        inboxes.MapPatch("/{inboxId}", async (HttpContext http, InboxService service, IInboxRepository repository, string inboxId) =>
        {
            // An absent display_name leaves it as it is; null clears it.
            var body = await V0Routes.ReadAsync<JsonObject>(http.Request);
            var orgId = Caller.Of(http).OrgId;
            if (!body.TryGetPropertyValue("display_name", out var displayName))
                return await repository.GetAsync(orgId, inboxId, http.RequestAborted) is { } unchanged
                    ? V0Routes.Ok(ToResponse(unchanged))
                    : V0Errors.NotFound("inbox");
            var name = displayName is null ? null
                : displayName.GetValueKind() == JsonValueKind.String ? displayName.GetValue<string>()
                : throw new ValidationException("display_name", "must be a string or null");
            var inbox = await service.UpdateDisplayNameAsync(orgId, inboxId, name, http.RequestAborted);
            return V0Routes.Ok(ToResponse(inbox));
        }).Accepts<UpdateInboxRequest>("application/json").Produces<InboxResponse>().Produces<ApiError>(404);

        // v0 deletes the inbox with all its mail.
        inboxes.MapDelete("/{inboxId}", (HttpContext http, MailDeletion deletion, string inboxId) => V0Routes.MissingAsResult(async () =>
        {
            await deletion.DeleteInboxAsync(Caller.Of(http).OrgId, inboxId, http.RequestAborted);
            return Results.NoContent();
        })).Produces(204).Produces<ApiError>(404);
    }
}

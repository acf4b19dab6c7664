using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Core.Sms;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.InkboxV1;

/// <summary>Phone numbers from the SMS carrier (bought, or imported by <c>number</c>) and their SMS.</summary>
public static class PhoneNumberEndpoints
{
    public sealed record CreatePhoneNumberRequest(string? Type, string? AgentHandle, string? AreaCode, string? Number);
    public sealed record UpdatePhoneNumberRequest(string? IncomingCallAction, string? ClientWebsocketUrl, string? IncomingCallWebhookUrl);
    public sealed record SendSmsRequest(string? To, string? Text);

    public sealed record PhoneNumberResponse(Guid Id, string Number, string Type, string Status, string IncomingCallAction, string? ClientWebsocketUrl,
        string? IncomingCallWebhookUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    public sealed record SmsResponse(Guid Id, Guid PhoneNumberId, string Direction, string From, string To, string Text, string Status, string? Error,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    public sealed record ConversationResponse(string RemoteNumber, IReadOnlyList<SmsResponse> Messages);

    public static PhoneNumberResponse ToResponse(PhoneNumber n) => new(InkboxRoutes.Uuid(n.Id), n.Number, n.Type, n.Status, n.IncomingCallAction,
        n.ClientWebsocketUrl, n.IncomingCallWebhookUrl, n.CreatedAt, n.UpdatedAt);

    public static SmsResponse ToResponse(SmsMessage m) => new(InkboxRoutes.Uuid(m.Id), InkboxRoutes.Uuid(m.PhoneNumberId), m.Direction, m.From, m.To,
        m.Text, m.Status, m.Error, m.CreatedAt, m.UpdatedAt);

    private static readonly string[] UpdatableFields = ["incoming_call_action", "client_websocket_url", "incoming_call_webhook_url"];

    public static void MapPhoneNumbers(this RouteGroupBuilder v1)
    {
        var numbers = v1.MapGroup("/phone/numbers");

        numbers.MapPost("/", async (HttpContext http, PhoneNumberService service) =>
        {
            var body = await InkboxRoutes.ReadAsync<CreatePhoneNumberRequest>(http.Request);
            var number = await service.AddAsync(Caller.Of(http).OrgId, new NewPhoneNumber(body.Type, body.AreaCode, body.Number, body.AgentHandle),
                http.RequestAborted);
            return InkboxRoutes.Created(ToResponse(number));
        }).Accepts<CreatePhoneNumberRequest>("application/json").Produces<PhoneNumberResponse>(201);

        numbers.MapGet("/", async (HttpContext http, PhoneNumberService service, string? limit, string? offset) =>
        {
            var page = await service.ListAsync(Caller.Of(http).OrgId, InkboxRoutes.Page(limit, offset), http.RequestAborted);
            return InkboxRoutes.Ok(page.Items.Select(ToResponse).ToList());
        }).Produces<List<PhoneNumberResponse>>();

        numbers.MapGet("/{phoneNumberId}", async (HttpContext http, PhoneNumberService service, string phoneNumberId) =>
            InkboxRoutes.Ok(ToResponse(await service.GetAsync(Caller.Of(http).OrgId, IdOf(phoneNumberId), http.RequestAborted))))
            .Produces<PhoneNumberResponse>();

        numbers.MapPatch("/{phoneNumberId}", async (HttpContext http, PhoneNumberService service, string phoneNumberId) =>
        {
            // An absent field stays as it is; a URL given as null is cleared.
            var id = IdOf(phoneNumberId);
            var body = await InkboxRoutes.ReadAsync<JsonObject>(http.Request);
            var clear = UpdatableFields.Where(f => body.TryGetPropertyValue(f, out var value) && value is null).ToHashSet();
            var changes = new PhoneNumberChanges(Text(body, "incoming_call_action"), Text(body, "client_websocket_url"),
                Text(body, "incoming_call_webhook_url"), clear);
            return InkboxRoutes.Ok(ToResponse(await service.UpdateAsync(Caller.Of(http).OrgId, id, changes, http.RequestAborted)));
        }).Accepts<UpdatePhoneNumberRequest>("application/json").Produces<PhoneNumberResponse>();

        // Released at the carrier, then removed with its SMS; an identity that had it keeps its mailbox.
        numbers.MapDelete("/{phoneNumberId}", async (HttpContext http, PhoneNumberService service, string phoneNumberId) =>
        {
            await service.ReleaseAsync(Caller.Of(http).OrgId, IdOf(phoneNumberId), http.RequestAborted);
            return Results.NoContent();
        }).Produces(204);

        numbers.MapPost("/{phoneNumberId}/messages", async (HttpContext http, SmsService sms, string phoneNumberId) =>
        {
            var id = IdOf(phoneNumberId);
            var body = await InkboxRoutes.ReadAsync<SendSmsRequest>(http.Request);
            var message = await sms.SendAsync(Caller.Of(http).OrgId, id, body.To, body.Text, http.RequestAborted);
            return InkboxRoutes.Created(ToResponse(message));
        }).Accepts<SendSmsRequest>("application/json").Produces<SmsResponse>(201);

        // Both directions, grouped by the other party (the page is taken over messages in that order).
        numbers.MapGet("/{phoneNumberId}/messages", async (HttpContext http, SmsService sms, string phoneNumberId, string? limit, string? offset) =>
        {
            var page = await sms.ListAsync(Caller.Of(http).OrgId, IdOf(phoneNumberId), InkboxRoutes.Page(limit, offset), http.RequestAborted);
            var conversations = page.Items.GroupBy(m => m.RemoteNumber)
                .Select(g => new ConversationResponse(g.Key, g.Select(ToResponse).ToList())).ToList();
            return InkboxRoutes.Ok(conversations);
        }).Produces<List<ConversationResponse>>();
    }

    private static string IdOf(string phoneNumberId) => InkboxRoutes.IdOf("phone_number_id", Ids.PhoneNumber, phoneNumberId);

    private static string? Text(JsonObject body, string field) =>
        !body.TryGetPropertyValue(field, out var value) || value is null ? null
        : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>()
        : throw new ValidationException(field, "must be a string or null");
}

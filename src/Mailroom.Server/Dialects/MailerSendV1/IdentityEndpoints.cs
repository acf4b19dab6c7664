using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Core.SenderIdentities;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.MailerSendV1;

/// <summary>The nine sender identity routes: list, get, add, update, delete and resend, by id and (except add and resend) by address.</summary>
public static class IdentityEndpoints
{
    /// <summary>A domain's id is its name, as in the v0 API where domains are added; a domain's internal id is accepted in <c>domain_id</c> too.</summary>
    public sealed record DomainView(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    public sealed record IdentityView(string Id, string Email, string Name, string? ReplyToEmail, string? ReplyToName, bool IsVerified, int Resends,
        bool AddNote, string? PersonalNote, DomainView Domain);
    public sealed record Single(IdentityView Data);

    public static void MapIdentities(this RouteGroupBuilder v1)
    {
        var identities = v1.MapGroup("/identities");

        identities.MapGet("", async (HttpContext http, SenderIdentityService service) =>
        {
            var query = http.Request.Query;
            var page = MailerSendPage.From(query["page"], query["limit"]);
            var filter = new SenderIdentityFilter(Empty(query["domain_id"]), Empty(query["query"]));
            var found = await service.ListAsync(Caller.Of(http).OrgId, filter, page.Request, http.RequestAborted);
            return MailerSendJson.Json(page.Answer(http.Request, found, ToView));
        });

        identities.MapGet("/{id}", async (HttpContext http, string id, SenderIdentityService service) =>
            One(await service.GetAsync(Caller.Of(http).OrgId, id, http.RequestAborted)));

        identities.MapGet("/email/{email}", async (HttpContext http, string email, SenderIdentityService service) =>
            One(await service.GetByEmailAsync(Caller.Of(http).OrgId, email, http.RequestAborted)));

        identities.MapPost("", async (HttpContext http, SenderIdentityService service) =>
        {
            var body = await ReadAsync(http);
            var created = await service.CreateAsync(Caller.Of(http).OrgId, new NewSenderIdentity(Text(body, "domain_id"), Text(body, "email"),
                Text(body, "name"), Text(body, "reply_to_email"), Text(body, "reply_to_name"), Flag(body, "add_note") ?? false,
                Text(body, "personal_note")), http.RequestAborted);
            return One(created, StatusCodes.Status201Created);
        });

        identities.MapPut("/{id}", async (HttpContext http, string id, SenderIdentityService service) =>
            One(await service.UpdateAsync(Caller.Of(http).OrgId, id, Change(await ReadAsync(http)), http.RequestAborted)));

        identities.MapPut("/email/{email}", async (HttpContext http, string email, SenderIdentityService service) =>
            One(await service.UpdateByEmailAsync(Caller.Of(http).OrgId, email, Change(await ReadAsync(http)), http.RequestAborted)));

        identities.MapDelete("/{id}", async (HttpContext http, string id, SenderIdentityService service) =>
        {
            await service.DeleteAsync(Caller.Of(http).OrgId, id, http.RequestAborted);
            return Results.Ok();
        });

        identities.MapDelete("/email/{email}", async (HttpContext http, string email, SenderIdentityService service) =>
        {
            await service.DeleteByEmailAsync(Caller.Of(http).OrgId, email, http.RequestAborted);
            return Results.Ok();
        });

        identities.MapPost("/{id}/resend", async (HttpContext http, string id, SenderIdentityService service) =>
            One(await service.ResendAsync(Caller.Of(http).OrgId, id, http.RequestAborted)));
    }

    public static IdentityView ToView(SenderIdentityView view)
    {
        var (identity, domain) = (view.Identity, view.Domain);
        return new IdentityView(identity.Id, identity.Email, identity.Name, identity.ReplyToEmail, identity.ReplyToName, identity.IsVerified,
            identity.Resends, identity.AddNote, identity.PersonalNote, new DomainView(domain.Name, domain.Name, domain.CreatedAt, domain.UpdatedAt));
    }

    private static IResult One(SenderIdentityView view, int status = StatusCodes.Status200OK) => MailerSendJson.Json(new Single(ToView(view)), status);

    private static SenderIdentityChange Change(JsonObject body) => new(Text(body, "domain_id"), Text(body, "email"), Text(body, "name"),
        Text(body, "reply_to_email"), Text(body, "reply_to_name"), Flag(body, "add_note"), Text(body, "personal_note"));

    /// <summary>A body is optional where every field is (PUT); an empty one changes nothing.</summary>
    private static async Task<JsonObject> ReadAsync(HttpContext http) =>
        http.Request.ContentLength == 0 ? [] : await RequestBody.ReadAsync<JsonObject>(http.Request, MailerSendJson.Options);

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public static string? Text(JsonObject body, string field) => body[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new ValidationException(field, "must be a string"),
    };

    private static bool? Flag(JsonObject body, string field) => body[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new ValidationException(field, "must be true or false"),
    };
}

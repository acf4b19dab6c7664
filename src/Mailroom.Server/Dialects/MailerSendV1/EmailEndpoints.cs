using System.Text.Json.Nodes;
using Mailroom.Core.SenderIdentities;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.MailerSendV1;

/// <summary><c>POST /email</c>: 202 with the message's id in <c>X-Message-Id</c>; the mail takes the ordinary queue, signing and delivery.</summary>
public static class EmailEndpoints
{
    /// <param name="maxBodyBytes">The route carries attachments, so its body cap is the mail one.</param>
    public static void MapEmail(this RouteGroupBuilder v1, long maxBodyBytes) =>
        v1.MapPost("/email", async (HttpContext http, EmailRequestReader reader, IdentitySending sending) =>
        {
            var body = await RequestBody.ReadAsync<JsonObject>(http.Request, MailerSendJson.Options);
            var (from, mail) = reader.Read(body);
            var sent = await sending.SendAsync(Caller.Of(http).OrgId, from, mail, http.RequestAborted);
            http.Response.Headers["X-Message-Id"] = sent.MessageId;
            return Results.StatusCode(StatusCodes.Status202Accepted);
        }).CapBodyAt(maxBodyBytes);
}

using Mailroom.Core.Agents;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.InkboxV1;

public static class IdentityEndpoints
{
    public sealed record CreateIdentityRequest(string? AgentHandle);
    public sealed record UpdateIdentityRequest(string? AgentHandle, string? Status);
    public sealed record AssignMailboxRequest(string? MailboxId);
    public sealed record AssignPhoneNumberRequest(string? PhoneNumberId);

    public sealed record IdentitySummary(Guid Id, Guid OrganizationId, string AgentHandle, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    public sealed record IdentityDetail(Guid Id, Guid OrganizationId, string AgentHandle, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
        MailboxEndpoints.MailboxResponse? Mailbox, PhoneNumberEndpoints.PhoneNumberResponse? PhoneNumber);

    public static IdentitySummary Summary(Agent a) =>
        new(InkboxRoutes.Uuid(a.Id), InkboxRoutes.Uuid(a.OrgId), a.Handle, a.Status, a.CreatedAt, a.UpdatedAt);

    public static IdentityDetail Detail(AgentDetail d) =>
        new(InkboxRoutes.Uuid(d.Agent.Id), InkboxRoutes.Uuid(d.Agent.OrgId), d.Agent.Handle, d.Agent.Status, d.Agent.CreatedAt, d.Agent.UpdatedAt,
            d.Inbox is null ? null : MailboxEndpoints.ToResponse(d.Inbox), d.PhoneNumber is null ? null : PhoneNumberEndpoints.ToResponse(d.PhoneNumber));

    public static void MapIdentities(this RouteGroupBuilder v1)
    {
        var identities = v1.MapGroup("/identities");

        identities.MapPost("/", async (HttpContext http, AgentService agents) =>
        {
            var body = await InkboxRoutes.ReadAsync<CreateIdentityRequest>(http.Request);
            var agent = await agents.CreateAsync(Caller.Of(http).OrgId, body.AgentHandle, http.RequestAborted);
            return InkboxRoutes.Created(Detail(new AgentDetail(agent, null, null)));
        }).Accepts<CreateIdentityRequest>("application/json").Produces<IdentityDetail>(201);

        identities.MapGet("/", async (HttpContext http, AgentService agents, string? limit, string? offset) =>
        {
            var page = await agents.ListAsync(Caller.Of(http).OrgId, InkboxRoutes.Page(limit, offset), http.RequestAborted);
            return InkboxRoutes.Ok(page.Items.Select(Summary).ToList());
        }).Produces<List<IdentitySummary>>();

        identities.MapGet("/{agentHandle}", async (HttpContext http, AgentService agents, string agentHandle) =>
            InkboxRoutes.Ok(Detail(await agents.GetAsync(Caller.Of(http).OrgId, agentHandle, http.RequestAborted))))
            .Produces<IdentityDetail>();

        identities.MapPatch("/{agentHandle}", async (HttpContext http, AgentService agents, string agentHandle) =>
        {
            var body = await InkboxRoutes.ReadAsync<UpdateIdentityRequest>(http.Request);
            var orgId = Caller.Of(http).OrgId;
            var agent = await agents.UpdateAsync(orgId, agentHandle, new AgentChanges(body.AgentHandle, body.Status), http.RequestAborted);
            return InkboxRoutes.Ok(Detail(await agents.GetAsync(orgId, agent.Handle, http.RequestAborted)));
        }).Accepts<UpdateIdentityRequest>("application/json").Produces<IdentityDetail>();

        // The identity goes; its mailbox and phone number stay, unlinked.
        identities.MapDelete("/{agentHandle}", async (HttpContext http, AgentService agents, string agentHandle) =>
        {
            await agents.DeleteAsync(Caller.Of(http).OrgId, agentHandle, http.RequestAborted);
            return Results.NoContent();
        }).Produces(204);

        identities.MapPost("/{agentHandle}/mailbox", async (HttpContext http, AgentService agents, string agentHandle) =>
        {
            var body = await InkboxRoutes.ReadAsync<AssignMailboxRequest>(http.Request);
            var inboxId = InkboxRoutes.IdOf("mailbox_id", Ids.Inbox, body.MailboxId);
            return InkboxRoutes.Ok(Detail(await agents.AssignInboxAsync(Caller.Of(http).OrgId, agentHandle, inboxId, http.RequestAborted)));
        }).Accepts<AssignMailboxRequest>("application/json").Produces<IdentityDetail>();

        identities.MapDelete("/{agentHandle}/mailbox", async (HttpContext http, AgentService agents, string agentHandle) =>
        {
            await agents.UnassignInboxAsync(Caller.Of(http).OrgId, agentHandle, http.RequestAborted);
            return Results.NoContent();
        }).Produces(204);

        identities.MapPost("/{agentHandle}/phone_number", async (HttpContext http, AgentService agents, string agentHandle) =>
        {
            var body = await InkboxRoutes.ReadAsync<AssignPhoneNumberRequest>(http.Request);
            var numberId = InkboxRoutes.IdOf("phone_number_id", Ids.PhoneNumber, body.PhoneNumberId);
            return InkboxRoutes.Ok(Detail(await agents.AssignPhoneNumberAsync(Caller.Of(http).OrgId, agentHandle, numberId, http.RequestAborted)));
        }).Accepts<AssignPhoneNumberRequest>("application/json").Produces<IdentityDetail>();

        identities.MapDelete("/{agentHandle}/phone_number", async (HttpContext http, AgentService agents, string agentHandle) =>
        {
            await agents.UnassignPhoneNumberAsync(Caller.Of(http).OrgId, agentHandle, http.RequestAborted);
            return Results.NoContent();
        }).Produces(204);
    }
}

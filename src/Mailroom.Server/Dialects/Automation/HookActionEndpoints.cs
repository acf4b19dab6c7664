using Mailroom.Core.Automation;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

public static class HookActionEndpoints
{
    public sealed record HookActionWrite(long? HookActionID, string? HookName, long? ChannelID, long? ActionID, int? Priority);

    public sealed record HookActionRead(long HookActionID, long CustomerID, string HookName, long? ChannelID, long ActionID, string? ActionName,
        string? ActionType, bool IsActive, int Priority);

    public sealed record WaitSeconds(long TotalWaitSeconds);

    private static readonly Dictionary<string, string> SortFields = new()
        { ["Priority"] = "priority", ["HookActionID"] = "id", ["ActionID"] = "action_id", ["CreatedAt"] = "created_at" };

    public static void MapHookActions(this RouteGroupBuilder api)
    {
        var links = api.MapGroup("/HookActions");

        links.MapGet("/", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var q = http.Request.Query;
            var paging = Paging.From(http.Request);
            var order = Paging.Order(http.Request, "Priority", SortFields);
            var hook = q["hookName"].ToString() is { Length: > 0 } h ? h : null;
            var page = await service.ListHookActionsAsync(orgId, hook, Paging.ParseId("action_id", q["actionId"]), Paging.ParseId("channel_id", q["channelId"]),
                order, paging.Request, http.RequestAborted);
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            return AutomationJson.Ok(paging.Result(page, l => Read(l, customer)));
        });

        links.MapGet("/wait-seconds", async (HttpContext http, ActionLinkService service) =>
        {
            var q = http.Request.Query;
            var total = await service.TotalWaitSecondsAsync(Caller.Of(http).OrgId, q["hookName"].ToString() is { Length: > 0 } h ? h : null,
                Paging.ParseId("channel_id", q["channelId"]), http.RequestAborted);
            return AutomationJson.Ok(new WaitSeconds(total));
        });

        links.MapPost("/", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var link = await service.CreateHookActionAsync(orgId, Draft(await AutomationJson.ReadAsync<HookActionWrite>(http.Request)), http.RequestAborted);
            return AutomationJson.Created($"{AutomationDialect.Prefix}/HookActions/{link.Id}", Read(link, await channels.CustomerNumberAsync(orgId, http.RequestAborted)));
        });

        links.MapPost("/bulk", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var body = await AutomationJson.ReadAsync<List<HookActionWrite>>(http.Request);
            var created = await service.CreateHookActionsAsync(orgId, body.Select(Draft).ToList(), http.RequestAborted);
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            return Results.Json(created.Select(l => Read(l, customer)).ToList(), AutomationJson.Options, statusCode: StatusCodes.Status201Created);
        });

        links.MapGet("/{id:long}", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels, long id) =>
        {
            var orgId = Caller.Of(http).OrgId;
            return AutomationJson.Ok(Read(await service.GetHookActionAsync(orgId, id, http.RequestAborted), await channels.CustomerNumberAsync(orgId, http.RequestAborted)));
        });

        links.MapPut("/{id:long}", async (HttpContext http, ActionLinkService service, long id) =>
        {
            var body = await AutomationJson.ReadAsync<TopicActionEndpoints.PriorityWrite>(http.Request);
            if (body.HookActionID is { } given && given != id) throw new ValidationException("hook_action_id", "must equal the id in the path");
            await service.SetHookActionPriorityAsync(Caller.Of(http).OrgId, id, body.Priority ?? throw new ValidationException("priority", "is required"),
                http.RequestAborted);
            return Results.NoContent();
        });

        links.MapDelete("/{id:long}", async (HttpContext http, ActionLinkService service, long id) =>
        {
            await service.DeleteHookActionAsync(Caller.Of(http).OrgId, id, http.RequestAborted);
            return Results.NoContent();
        });
    }

    private static HookActionDraft Draft(HookActionWrite b) => new(b.HookName, b.ChannelID is 0 ? null : b.ChannelID,
        b.ActionID ?? throw new ValidationException("action_id", "is required"), b.Priority ?? 0);

    private static HookActionRead Read(HookActionLink l, long customer) => new(l.Id, customer, l.Hook, l.ChannelId, l.ActionId, l.ActionName, l.ActionType,
        l.ActionIsActive, l.Priority);
}

using Mailroom.Core.Automation;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

public static class TopicActionEndpoints
{
    public sealed record TopicActionWrite(long? TopicActionID, long? TopicID, string? SpecialTopic, long? DocumentID, long? ChannelID, string? SpecialChannel,
        long? ActionID, int? Priority);

    public sealed record TopicActionRead(long TopicActionID, long CustomerID, long? TopicID, string? SpecialTopic, long DocumentID, long? ChannelID,
        string? SpecialChannel, long ActionID, string? ActionName, bool IsActive, int Priority);

    public sealed record PriorityWrite(long? TopicActionID, long? HookActionID, int? Priority);

    private static readonly Dictionary<string, string> SortFields = new()
        { ["Priority"] = "priority", ["TopicActionID"] = "id", ["ActionID"] = "action_id", ["CreatedAt"] = "created_at" };

    public static void MapTopicActions(this RouteGroupBuilder api)
    {
        var links = api.MapGroup("/TopicActions");

        links.MapGet("/", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var q = http.Request.Query;
            var paging = Paging.From(http.Request);
            var order = Paging.Order(http.Request, "Priority", SortFields);
            // hookName names a special topic here: topic links have no hooks of their own (docs/automation.md).
            var filter = new TopicActionFilter(Paging.ParseId("topic_id", q["topicId"]), Paging.ParseId("action_id", q["actionId"]),
                q["hookName"].ToString() is { Length: > 0 } special ? special : null, Paging.ParseId("channel_id", q["channelId"]),
                Paging.ParseBool("is_active", q["isActive"]));
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            var page = await service.ListTopicActionsAsync(orgId, filter, order, paging.Request, http.RequestAborted);
            return AutomationJson.Ok(paging.Result(page, l => Read(l, customer)));
        });

        links.MapPost("/", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var link = await service.CreateTopicActionAsync(orgId, Draft(await AutomationJson.ReadAsync<TopicActionWrite>(http.Request)), http.RequestAborted);
            return AutomationJson.Created($"{AutomationDialect.Prefix}/TopicActions/{link.Id}", Read(link, await channels.CustomerNumberAsync(orgId, http.RequestAborted)));
        });

        links.MapPost("/bulk", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var body = await AutomationJson.ReadAsync<List<TopicActionWrite>>(http.Request);
            var created = await service.CreateTopicActionsAsync(orgId, body.Select(Draft).ToList(), http.RequestAborted);
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            return Results.Json(created.Select(l => Read(l, customer)).ToList(), AutomationJson.Options, statusCode: StatusCodes.Status201Created);
        });

        links.MapGet("/{id:long}", async (HttpContext http, ActionLinkService service, IAutomationChannelRepository channels, long id) =>
        {
            var orgId = Caller.Of(http).OrgId;
            return AutomationJson.Ok(Read(await service.GetTopicActionAsync(orgId, id, http.RequestAborted), await channels.CustomerNumberAsync(orgId, http.RequestAborted)));
        });

        links.MapPut("/{id:long}", async (HttpContext http, ActionLinkService service, long id) =>
        {
            var body = await AutomationJson.ReadAsync<PriorityWrite>(http.Request);
            if (body.TopicActionID is { } given && given != id) throw new ValidationException("topic_action_id", "must equal the id in the path");
            await service.SetTopicActionPriorityAsync(Caller.Of(http).OrgId, id, body.Priority ?? throw new ValidationException("priority", "is required"),
                http.RequestAborted);
            return Results.NoContent();
        });

        links.MapDelete("/{id:long}", async (HttpContext http, ActionLinkService service, long id) =>
        {
            await service.DeleteTopicActionAsync(Caller.Of(http).OrgId, id, http.RequestAborted);
            return Results.NoContent();
        });
    }

    /// <summary>A channel or topic id of 0 means none, as the vendor's samples send documentID 0.</summary>
    private static TopicActionDraft Draft(TopicActionWrite b) => new(b.TopicID is 0 ? null : b.TopicID, b.SpecialTopic, b.DocumentID ?? 0,
        b.ChannelID is 0 ? null : b.ChannelID, b.SpecialChannel, b.ActionID ?? throw new ValidationException("action_id", "is required"), b.Priority ?? 0);

    private static TopicActionRead Read(TopicActionLink l, long customer) => new(l.Id, customer, l.TopicId, l.SpecialTopic, l.DocumentId, l.ChannelId,
        l.SpecialChannel, l.ActionId, l.ActionName, l.ActionIsActive, l.Priority);
}

using Mailroom.Core.Automation;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

/// <summary>Mailroom's own <c>GET /api/ActionRuns?threadId=</c>: every recorded action run, oldest first.</summary>
public static class ActionRunEndpoints
{
    public sealed record ActionRunRead(long ActionRunID, long ActionID, string ActionType, string? HookName, long? TopicID, string? ThreadId, string? MessageId,
        DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome, string? Error, int? HttpStatus);

    public static ActionRunRead Read(ActionRun r) => new(r.Id, r.ActionId, r.ActionType, r.Hook, r.TopicId, r.ThreadId, r.MessageId, r.StartedAt,
        r.FinishedAt, r.Outcome, r.Error, r.HttpStatus);

    public static void MapActionRuns(this RouteGroupBuilder api)
    {
        api.MapGet("/ActionRuns", async (HttpContext http, IActionRunRepository runs) =>
        {
            var paging = Paging.From(http.Request);
            var threadId = http.Request.Query["threadId"].ToString() is { Length: > 0 } t ? t : null;
            return AutomationJson.Ok(paging.Result(await runs.ListAsync(Caller.Of(http).OrgId, threadId, paging.Request, http.RequestAborted), Read));
        });
    }
}

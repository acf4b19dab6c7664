using Mailroom.Core.ApiKeys;
using Mailroom.Core.Identities;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.IdentitiesV1;

public static class DomainAndTaskEndpoints
{
    public sealed record DomainResponse(string Id, string Name, bool Verified, DateTimeOffset? CreatedAt);

    public sealed record TaskResponse(string TaskId, string Type, string? IdentityId, string Status, string? MessageId, string? Error, DateTimeOffset CreatedAt);

    /// <summary><c>GET /v1/domains</c>: a Mailroom addition, so that a client can find a <c>domain_id</c>.</summary>
    public static void MapIdentityDomains(this RouteGroupBuilder v1) =>
        v1.MapGet("/domains", async (HttpContext http, IdentityService service, string? limit, string? offset) =>
        {
            ScopeCheck.RequireAny(http, ApiKeyScopes.ReadThreads, ApiKeyScopes.ManageSettings);
            var page = V1Routes.Page(limit, offset);
            var list = await service.ListDomainsAsync(Caller.Of(http).OrgId, page, http.RequestAborted);
            return V1Routes.Ok(V1Routes.List(list, page, d => new DomainResponse(d.Id, d.Name, d.Verified, d.CreatedAt)));
        });

    public static void MapTasks(this RouteGroupBuilder v1) =>
        v1.MapGet("/tasks/{taskId}", async (HttpContext http, TestEmails tests, string taskId) =>
        {
            ScopeCheck.RequireAny(http, ApiKeyScopes.ReadThreads, ApiKeyScopes.ManageSettings);
            var report = await tests.GetAsync(Caller.Of(http).OrgId, taskId, http.RequestAborted);
            var task = report.Task;
            return V1Routes.Ok(new TaskResponse(task.Id, task.Kind, task.InboxId, report.State, task.MessageId, report.Detail, task.CreatedAt));
        });
}

using Mailroom.Core.Automation;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

/// <summary>Mailroom's own <c>/api/Topics</c>: what TopicActions name by topicID, with the rules that detect them (docs/automation.md).</summary>
public static class TopicEndpoints
{
    public sealed record TopicWrite(string? Name, string? Description, List<string>? Keywords, List<string>? Phrases, List<string>? Patterns,
        List<string>? Senders, bool? IsActive);

    public sealed record TopicRead(long TopicID, long CustomerID, string Name, string? Description, IReadOnlyList<string> Keywords,
        IReadOnlyList<string> Phrases, IReadOnlyList<string> Patterns, IReadOnlyList<string> Senders, bool IsActive);

    public static void MapTopics(this RouteGroupBuilder api)
    {
        var topics = api.MapGroup("/Topics");

        topics.MapGet("/", async (HttpContext http, TopicService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var paging = Paging.From(http.Request);
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            return AutomationJson.Ok(paging.Result(await service.ListAsync(orgId, paging.Request, http.RequestAborted), t => Read(t, customer)));
        });

        topics.MapPost("/", async (HttpContext http, TopicService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var topic = await service.CreateAsync(orgId, Draft(await AutomationJson.ReadAsync<TopicWrite>(http.Request)), http.RequestAborted);
            return AutomationJson.Created($"{AutomationDialect.Prefix}/Topics/{topic.Id}", Read(topic, await channels.CustomerNumberAsync(orgId, http.RequestAborted)));
        });

        topics.MapGet("/{id:long}", async (HttpContext http, TopicService service, IAutomationChannelRepository channels, long id) =>
        {
            var orgId = Caller.Of(http).OrgId;
            return AutomationJson.Ok(Read(await service.GetAsync(orgId, id, http.RequestAborted), await channels.CustomerNumberAsync(orgId, http.RequestAborted)));
        });

        topics.MapPut("/{id:long}", async (HttpContext http, TopicService service, long id) =>
        {
            await service.UpdateAsync(Caller.Of(http).OrgId, id, Draft(await AutomationJson.ReadAsync<TopicWrite>(http.Request)), http.RequestAborted);
            return Results.NoContent();
        });

        topics.MapDelete("/{id:long}", async (HttpContext http, TopicService service, long id) =>
        {
            await service.DeleteAsync(Caller.Of(http).OrgId, id, http.RequestAborted);
            return Results.NoContent();
        });
    }

    private static TopicDraft Draft(TopicWrite b) => new(b.Name, b.Description, b.Keywords,
        new TopicRules { Phrases = b.Phrases ?? [], Patterns = b.Patterns ?? [], Senders = b.Senders ?? [] }, b.IsActive ?? true);

    private static TopicRead Read(Topic t, long customer) =>
        new(t.Id, customer, t.Name, t.Description, t.Keywords, t.Rules.Phrases, t.Rules.Patterns, t.Rules.Senders, t.IsActive);
}

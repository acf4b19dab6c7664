using System.Text.Json;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Automation;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

public static class ActionEndpoints
{
    /// <summary>How a stored secret is shown: that it exists, never what it is.</summary>
    public const string Mask = "********";

    /// <summary>ActionCreateDTO and ActionUpdateDTO (the update adds actionID).</summary>
    public sealed record ActionWrite(long? ActionID, string? Name, string? Description, string? ActionType, bool? IsActive, bool? IsFunctionTool,
        string? ApiEndpoint, string? ApiMethod, string? ApiHeaders, string? ApiBodyTemplate, string? FieldMapping, string? ResponseFieldMapping,
        string? OverrideApiBaseUrl, string? OverrideApiUsername, string? OverrideApiPassword, string? OverrideApiToken, string? OverrideApiAuthenticationType,
        string? ConditionalRules, string? ForwardRecipients, string? ForwardPhoneNumber, int? WaitSeconds, string? ActionSchedule,
        string? ActionScheduleTimeZoneId, string? FunctionParametersSchema, int? ToolCallTimeoutSeconds);

    /// <summary>ActionReadDTO.</summary>
    public sealed record ActionRead(long ActionID, long CustomerID, string Name, string? Description, string ActionType, bool IsActive, bool IsFunctionTool,
        string? ApiEndpoint, string? ApiMethod, string? ApiHeaders, string? ApiBodyTemplate, string? FieldMapping, string? ResponseFieldMapping,
        string? OverrideApiBaseUrl, string? OverrideApiUsername, string? OverrideApiPassword, string? OverrideApiToken, string? OverrideApiAuthenticationType,
        string? ConditionalRules, string? ForwardRecipients, string? ForwardPhoneNumber, int? WaitSeconds, string? ActionSchedule,
        string? ActionScheduleTimeZoneId, string? FunctionParametersSchema, int? ToolCallTimeoutSeconds, IReadOnlyList<object> CustomFieldDefinitions);

    /// <summary>ActionAvailableDTO.</summary>
    public sealed record ActionAvailable(long ActionID, long CustomerID, string Name, string? Description, string ActionType, bool IsActive);

    public sealed record RunRequest(string? ThreadId);
    public sealed record InvokeRequest(JsonElement? Arguments, string? ThreadId);
    public sealed record RunAnswer(ActionRunEndpoints.ActionRunRead ActionRun, JsonElement? Result);

    private static readonly Dictionary<string, string> SortFields = new()
    {
        ["Name"] = "name", ["Description"] = "description", ["ActionType"] = "action_type", ["IsActive"] = "is_active",
        ["IsFunctionTool"] = "is_function_tool", ["ActionID"] = "id", ["CreatedAt"] = "created_at", ["UpdatedAt"] = "updated_at",
    };

    public static void MapActions(this RouteGroupBuilder api)
    {
        var actions = api.MapGroup("/Actions");
        // Reading the available actions needs only a valid key; the definitions themselves are settings.
        actions.MapGet("/available", async (HttpContext http, ActionService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            var available = await service.AvailableAsync(orgId, http.RequestAborted);
            return AutomationJson.Ok(available.Select(a => new ActionAvailable(a.Id, customer, a.Name, a.Description, a.ActionType, a.IsActive)).ToList());
        });

        actions.MapPost("/{id:long}/run", async (HttpContext http, AutomationProcessor processor, ITransactionRunner transactions, long id) =>
        {
            var body = await AutomationJson.ReadAsync<RunRequest>(http.Request);
            var threadId = body.ThreadId ?? throw new ValidationException("thread_id", "is required");
            var (run, result) = await processor.RunNowAsync(Caller.Of(http).OrgId, id, threadId, null, transactions, http.RequestAborted);
            return AutomationJson.Ok(new RunAnswer(ActionRunEndpoints.Read(run), Parsed(result)));
        });

        actions.MapPost("/{id:long}/invoke", async (HttpContext http, AutomationProcessor processor, ITransactionRunner transactions, long id) =>
        {
            var body = await AutomationJson.ReadAsync<InvokeRequest>(http.Request);
            var arguments = body.Arguments is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } a ? a : JsonDocument.Parse("{}").RootElement;
            var (run, result) = await processor.RunNowAsync(Caller.Of(http).OrgId, id, body.ThreadId, arguments, transactions, http.RequestAborted);
            return AutomationJson.Ok(new RunAnswer(ActionRunEndpoints.Read(run), Parsed(result)));
        });

        var settings = actions.MapGroup("").RequireScope(ApiKeyScopes.ManageSettings);

        settings.MapGet("/", async (HttpContext http, ActionService service, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var paging = Paging.From(http.Request);
            var order = Paging.Order(http.Request, "Name", SortFields);
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            var page = await service.ListAsync(orgId, order, paging.Request, http.RequestAborted);
            return AutomationJson.Ok(paging.Result(page, a => Read(a, customer)));
        });

        settings.MapPost("/", async (HttpContext http, ActionService service, IAutomationChannelRepository channels) =>
        {
            var body = await AutomationJson.ReadAsync<ActionWrite>(http.Request);
            var orgId = Caller.Of(http).OrgId;
            var action = await service.CreateAsync(orgId, Draft(body), http.RequestAborted);
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            return AutomationJson.Created($"{AutomationDialect.Prefix}/Actions/{action.Id}", Read(action, customer));
        });

        settings.MapGet("/{id:long}", async (HttpContext http, ActionService service, IAutomationChannelRepository channels, long id) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var action = await service.GetAsync(orgId, id, http.RequestAborted);
            return AutomationJson.Ok(Read(action, await channels.CustomerNumberAsync(orgId, http.RequestAborted)));
        });

        settings.MapPut("/{id:long}", async (HttpContext http, ActionService service, long id) =>
        {
            var body = await AutomationJson.ReadAsync<ActionWrite>(http.Request);
            if (body.ActionID != id) throw new ValidationException("action_id", "must equal the id in the path");
            await service.UpdateAsync(Caller.Of(http).OrgId, id, Draft(body), http.RequestAborted);
            return Results.NoContent();
        });

        settings.MapDelete("/{id:long}", async (HttpContext http, ActionService service, long id) =>
        {
            await service.DeleteAsync(Caller.Of(http).OrgId, id, http.RequestAborted);
            return Results.NoContent();
        });
    }

    private static JsonElement? Parsed(string? result)
    {
        if (result is null) return null;
        try { return JsonDocument.Parse(result).RootElement.Clone(); }
        catch (JsonException) { return JsonSerializer.SerializeToElement(result); }
    }

    /// <summary>The write body as Core's draft: an absent isActive is true, a secret sent back masked is kept.</summary>
    private static ActionDraft Draft(ActionWrite b) => new(b.Name, b.Description, b.ActionType, b.IsActive ?? true, b.IsFunctionTool ?? false,
        new ActionSettings
        {
            ApiEndpoint = b.ApiEndpoint, ApiMethod = b.ApiMethod, ApiHeaders = b.ApiHeaders, ApiBodyTemplate = b.ApiBodyTemplate, FieldMapping = b.FieldMapping,
            ResponseFieldMapping = b.ResponseFieldMapping, OverrideApiBaseUrl = b.OverrideApiBaseUrl, OverrideApiUsername = b.OverrideApiUsername,
            OverrideApiAuthenticationType = b.OverrideApiAuthenticationType, ConditionalRules = b.ConditionalRules, ForwardRecipients = b.ForwardRecipients,
            ForwardPhoneNumber = b.ForwardPhoneNumber, WaitSeconds = b.WaitSeconds, ActionSchedule = b.ActionSchedule,
            ActionScheduleTimeZoneId = b.ActionScheduleTimeZoneId, FunctionParametersSchema = b.FunctionParametersSchema,
            ToolCallTimeoutSeconds = b.ToolCallTimeoutSeconds,
        },
        b.OverrideApiPassword == Mask ? null : b.OverrideApiPassword, b.OverrideApiToken == Mask ? null : b.OverrideApiToken);

    public static ActionRead Read(AutomationAction a, long customer)
    {
        var s = a.Settings;
        return new ActionRead(a.Id, customer, a.Name, a.Description, a.ActionType, a.IsActive, a.IsFunctionTool, s.ApiEndpoint, s.ApiMethod, s.ApiHeaders,
            s.ApiBodyTemplate, s.FieldMapping, s.ResponseFieldMapping, s.OverrideApiBaseUrl, s.OverrideApiUsername,
            a.Secrets.Password is null ? null : Mask, a.Secrets.Token is null ? null : Mask, s.OverrideApiAuthenticationType, s.ConditionalRules,
            s.ForwardRecipients, s.ForwardPhoneNumber, s.WaitSeconds, s.ActionSchedule, s.ActionScheduleTimeZoneId, s.FunctionParametersSchema,
            s.ToolCallTimeoutSeconds, []);
    }
}

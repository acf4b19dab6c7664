using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Mime;

namespace Mailroom.Core.Automation;

/// <summary>What a caller gives for an action: everything but its id and owner. A secret left null keeps its value; an empty one removes it.</summary>
public sealed record ActionDraft(string? Name, string? Description, string? ActionType, bool IsActive, bool IsFunctionTool, ActionSettings Settings,
    string? Password, string? Token);

/// <summary>The use cases of action definitions: create, change, delete, list, with every field checked on save.</summary>
public sealed class ActionService(IActionRepository actions, Templates templates, AutomationConfigCache configs, TimeProvider time)
{
    public static readonly IReadOnlyList<string> SortFields = ["name", "description", "action_type", "is_active", "is_function_tool", "id", "created_at", "updated_at"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly string[] AuthenticationTypes = ["None", "Basic", "Bearer"];
    public const int MaxToolCallTimeoutSeconds = 300;
    public const int MaxWaitSeconds = 30 * 24 * 3600;

    public async Task<AutomationAction> CreateAsync(string orgId, ActionDraft draft, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var action = new AutomationAction { OrgId = orgId, Name = "", ActionType = "", CreatedAt = now };
        Apply(action, draft, now);
        await actions.CreateAsync(action, ct);
        configs.Forget(orgId);
        return action;
    }

    public async Task<AutomationAction> GetAsync(string orgId, long id, CancellationToken ct = default) =>
        await actions.GetAsync(orgId, id, ct) ?? throw new NotFoundException("action");

    public async Task UpdateAsync(string orgId, long id, ActionDraft draft, CancellationToken ct = default)
    {
        var action = await GetAsync(orgId, id, ct);
        Apply(action, draft, time.GetUtcNow());
        await actions.UpdateAsync(action, ct);
        configs.Forget(orgId);
    }

    public async Task DeleteAsync(string orgId, long id, CancellationToken ct = default)
    {
        if (!await actions.DeleteAsync(orgId, id, ct)) throw new NotFoundException("action");
        configs.Forget(orgId);
    }

    public Task<Page<AutomationAction>> ListAsync(string orgId, ListOrder order, PageRequest page, CancellationToken ct = default)
    {
        if (!SortFields.Contains(order.Field)) throw new ValidationException("sort_by", $"must be one of {string.Join(", ", SortFields)}");
        return actions.ListAsync(orgId, order, page, ct);
    }

    public Task<IReadOnlyList<AutomationAction>> AvailableAsync(string orgId, CancellationToken ct = default) => actions.ListActiveAsync(orgId, ct);

    private void Apply(AutomationAction action, ActionDraft draft, DateTimeOffset now)
    {
        action.Name = Check.Required("name", draft.Name, 100).Trim();
        action.Description = Check.Line("description", draft.Description, 100);
        action.ActionType = ActionTypes.Canonical(draft.ActionType)
                            ?? throw new ValidationException("action_type", $"must be one of {string.Join(", ", ActionTypes.All)}");
        action.IsActive = draft.IsActive;
        action.IsFunctionTool = draft.IsFunctionTool;
        action.Settings = CheckSettings(action.ActionType, draft.IsFunctionTool, draft.Settings);
        action.Secrets = new ActionSecrets(Secret(draft.Password, action.Secrets.Password), Secret(draft.Token, action.Secrets.Token));
        Check.Line("override_api_password", action.Secrets.Password, 1000);
        Check.Line("override_api_token", action.Secrets.Token, 4000);
        action.UpdatedAt = now;
    }

    private static string? Secret(string? given, string? kept) => given switch
    {
        null => kept,
        "" => null,
        _ => given,
    };

    private ActionSettings CheckSettings(string type, bool isFunctionTool, ActionSettings s)
    {
        Check.Line("api_endpoint", s.ApiEndpoint, 2000);
        templates.Check("api_endpoint", s.ApiEndpoint);
        templates.Check("api_body_template", s.ApiBodyTemplate);
        var method = s.ApiMethod is null ? null : Methods.FirstOrDefault(m => m.Equals(s.ApiMethod.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ValidationException("api_method", $"must be one of {string.Join(", ", Methods)}");
        StringMap("api_headers", s.ApiHeaders);
        StringMap("field_mapping", s.FieldMapping);
        StringMap("response_field_mapping", s.ResponseFieldMapping);
        if (s.OverrideApiBaseUrl is { } baseUrl
            && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new ValidationException("override_api_base_url", "must be an absolute http or https URL");
        Check.Line("override_api_username", s.OverrideApiUsername, 200);
        var authentication = s.OverrideApiAuthenticationType is null ? null
            : AuthenticationTypes.FirstOrDefault(a => a.Equals(s.OverrideApiAuthenticationType, StringComparison.OrdinalIgnoreCase))
              ?? throw new ValidationException("override_api_authentication_type", $"must be one of {string.Join(", ", AuthenticationTypes)}");
        ConditionalRules.Parse(s.ConditionalRules);
        Recipients(s.ForwardRecipients);
        Check.Line("forward_phone_number", s.ForwardPhoneNumber, 32);
        if (s.WaitSeconds is < 0 or > MaxWaitSeconds) throw new ValidationException("wait_seconds", $"must be between 0 and {MaxWaitSeconds}");
        ActionSchedule.Parse(s.ActionSchedule, s.ActionScheduleTimeZoneId);
        if (s.ToolCallTimeoutSeconds is < 1 or > MaxToolCallTimeoutSeconds)
            throw new ValidationException("tool_call_timeout_seconds", $"must be between 1 and {MaxToolCallTimeoutSeconds}");
        if (isFunctionTool || s.FunctionParametersSchema is not null) FunctionSchema.Parse(s.FunctionParametersSchema);
        switch (type)
        {
            case ActionTypes.ApiCall when s.OverrideApiBaseUrl is null && !IsAbsoluteUrl(s.ApiEndpoint):
                throw new ValidationException("override_api_base_url", "an ApiCall needs overrideApiBaseUrl, or an absolute apiEndpoint");
            case ActionTypes.Forward when Recipients(s.ForwardRecipients).Count == 0:
                throw new ValidationException("forward_recipients", "a Forward needs at least one recipient");
            case ActionTypes.Wait when s.WaitSeconds is null:
                throw new ValidationException("wait_seconds", "a Wait needs waitSeconds");
        }
        return s with { ApiMethod = method, OverrideApiAuthenticationType = authentication };
    }

    private static bool IsAbsoluteUrl(string? text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>The addresses of <c>forwardRecipients</c>: separated by commas, semicolons or spaces.</summary>
    public static List<MailboxAddress> Recipients(string? list)
    {
        var addresses = new List<MailboxAddress>();
        foreach (var item in (list ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            addresses.Add(MailboxAddress.TryParse(item, out var address) && address.Address.Contains('@')
                ? address
                : throw new ValidationException("forward_recipients", $"'{item}' is not an email address"));
        Check.AtMost("forward_recipients", addresses.Count, 50, "recipients");
        return addresses;
    }

    /// <summary>A JSON object of strings (headers, field mappings); null stays null.</summary>
    public static Dictionary<string, string> StringMap(string field, string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            if (JsonNode.Parse(json) is not JsonObject obj) throw new ValidationException(field, "must be a JSON object");
            return obj.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw new ValidationException(field, $"'{p.Key}' must map to a string"));
        }
        catch (JsonException e) { throw new ValidationException(field, $"is not JSON: {e.Message}"); }
    }
}

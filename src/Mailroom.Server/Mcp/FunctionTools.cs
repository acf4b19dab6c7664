using System.Text;
using System.Text.Json;
using Mailroom.Core.Automation;
using Mailroom.Core.Common;

namespace Mailroom.Server.Mcp;

/// <summary>
/// The organization's active function-tool actions as tools: each named after its action, its
/// <c>functionParametersSchema</c> as input, run like the automation API's invoke (arguments checked against the
/// schema) and bounded by its <c>toolCallTimeoutSeconds</c>. Read on every list and call, so a change shows at once.
/// </summary>
public sealed class FunctionTools : IMcpToolSource
{
    private const int DefaultTimeoutSeconds = 30;

    public async Task<IReadOnlyList<McpTool>> ToolsForAsync(McpCaller caller, IReadOnlySet<string> taken, IServiceProvider services, CancellationToken ct)
    {
        var actions = (await services.GetRequiredService<ActionService>().AvailableAsync(caller.OrgId, ct))
            .Where(a => a.IsActive && a.IsFunctionTool).OrderBy(a => a.Id).ToList();
        var names = new HashSet<string>(taken);
        var tools = new List<McpTool>();
        foreach (var action in actions)
        {
            var name = ToolName(action.Name);
            if (name.Length == 0 || !names.Add(name)) names.Add(name = $"{(name.Length == 0 ? "action" : name)}_{action.Id}");
            tools.Add(Tool(action, name));
        }
        return tools;
    }

    /// <summary>The action's name in snake_case: letters and digits kept (lower case), anything else one underscore.</summary>
    public static string ToolName(string actionName)
    {
        var name = new StringBuilder();
        foreach (var c in actionName.Trim())
        {
            if (char.IsAsciiLetterOrDigit(c)) name.Append(char.ToLowerInvariant(c));
            else if (name.Length > 0 && name[^1] != '_') name.Append('_');
        }
        return name.ToString().Trim('_') is var clean && clean.Length > 64 ? clean[..64].TrimEnd('_') : clean;
    }

    private static McpTool Tool(AutomationAction action, string name)
    {
        var timeout = TimeSpan.FromSeconds(action.Settings.ToolCallTimeoutSeconds ?? DefaultTimeoutSeconds);
        var description = (action.Description ?? $"Runs the organization's action \"{action.Name}\".") +
                          $" (An automation action of type {action.ActionType}; it may call a system outside Mailroom and takes at most {timeout.TotalSeconds:0} s.)";
        var schema = action.Settings.FunctionParametersSchema is { } text
            ? JsonSerializer.Deserialize<JsonElement>(text)
            : JsonSerializer.SerializeToElement(new { type = "object", properties = new { } });
        return new McpTool(name, action.Name, description, [McpScopes.Full],
            new ToolEffects(ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: true), ToolSchema.Given(schema),
            async call =>
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(call.Cancellation);
                bounded.CancelAfter(timeout);
                try
                {
                    var (run, result) = await call.Service<AutomationProcessor>().RunNowAsync(call.Caller.OrgId, action.Id, null,
                        call.Arguments.Whole(), call.Service<ITransactionRunner>(), bounded.Token);
                    if (run.Error is { } error) throw new ActionFailedException(name, error);
                    return new { RunId = run.Id, run.Outcome, Result = Parsed(result) };
                }
                catch (OperationCanceledException) when (!call.Cancellation.IsCancellationRequested)
                {
                    throw new ActionFailedException(name, $"it did not finish within its {timeout.TotalSeconds:0} s (tool_call_timeout_seconds)");
                }
            });
    }

    /// <summary>The action's answer as JSON when it is JSON, else as text.</summary>
    private static object? Parsed(string? result)
    {
        if (result is null) return null;
        try { return JsonSerializer.Deserialize<JsonElement>(result); }
        catch (JsonException) { return result; }
    }
}

/// <summary>The action ran and failed (its outside call answered an error, or it timed out): a tool error, not a fault.</summary>
public sealed class ActionFailedException(string tool, string detail) : MailroomException(ErrorKind.Refused, null, $"{tool} failed: {detail}");

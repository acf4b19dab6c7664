using System.Text.Json;
using Mailroom.Core.Common;
using Mailroom.Core.Messaging;
using ModelContextProtocol.Protocol;

namespace Mailroom.Server.Mcp;

/// <summary>
/// Every tool the server has, filtered by the caller's scopes; a call runs the tool and answers its result, or an error
/// result (<c>isError</c>) whose text tells a model what to fix. Nothing a tool raises becomes a protocol failure or a
/// stack trace.
/// </summary>
public sealed class McpToolbox(IEnumerable<IMcpToolSet> sets, IEnumerable<IMcpToolSource> sources, ILogger<McpToolbox> logger)
{
    private readonly Dictionary<string, McpTool> _tools = sets.SelectMany(s => s.Tools()).ToDictionary(t => t.Name);

    /// <summary>Every tool of the caller's organization, fixed ones first, whatever the caller's scopes.</summary>
    private async Task<List<McpTool>> AllAsync(McpCaller caller, IServiceProvider services, CancellationToken ct)
    {
        var tools = _tools.Values.ToList();
        var taken = _tools.Keys.ToHashSet();
        foreach (var source in sources) tools.AddRange(await source.ToolsForAsync(caller, taken, services, ct));
        return tools;
    }

    public async Task<ListToolsResult> ListAsync(McpCaller caller, IServiceProvider services, CancellationToken ct) => new()
    {
        Tools = (await AllAsync(caller, services, ct)).Where(t => t.Scopes.Any(caller.Grants)).Select(t => t.Describe()).ToList(),
    };

    public async Task<CallToolResult> CallAsync(McpCaller caller, CallToolRequestParams request, IServiceProvider services, CancellationToken ct)
    {
        var tool = _tools.GetValueOrDefault(request.Name) ?? (await AllAsync(caller, services, ct)).FirstOrDefault(t => t.Name == request.Name);
        if (tool is null)
            return Error($"There is no tool named '{request.Name}'. Call tools/list for the tools this API key may use.");
        if (!tool.Scopes.Any(caller.Grants))
            return Error(tool.Scopes.SequenceEqual([McpScopes.Full])
                ? $"This API key may not use {tool.Name}: it needs a full-access key (scope 'full')."
                : $"This API key may not use {tool.Name}: it needs the {string.Join(" or ", tool.Scopes.Select(s => $"'{s}'"))} scope (or 'full').");
        try
        {
            var arguments = new ToolArguments(request.Arguments, tool.ArgumentNames);
            var result = await tool.Run(new ToolCall(caller, arguments, services, ct));
            var json = JsonSerializer.SerializeToElement(result, McpJson.Options);
            return new CallToolResult
            {
                StructuredContent = json,
                Content = [new TextContentBlock { Text = json.GetRawText() }],
                IsError = false,
            };
        }
        catch (MailroomException refusal)
        {
            return Error(Describe(refusal));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception fault)
        {
            logger.LogError(fault, "MCP tool {Tool} failed", tool.Name);
            return Error($"{tool.Name} failed inside Mailroom (not because of its arguments); it may be retried later.");
        }
    }

    /// <summary>A refusal in words a model can act on: which argument, and why.</summary>
    public static string Describe(MailroomException refusal) => refusal switch
    {
        NotFoundException missing =>
            $"Not found: there is no {missing.What} with that id here (check the {missing.What.Replace(' ', '_')}_id argument; ids come from the list and search tools).",
        MessageRejectedException rejected =>
            $"Not sent: {rejected.Detail}. The message was kept as rejected (message_id {rejected.Result.MessageId}).",
        { Kind: ErrorKind.Invalid, Field: { } field } => $"Invalid argument '{field}': {refusal.Detail}.",
        { Kind: ErrorKind.Conflict, Field: { } field } => $"Conflict on '{field}': {refusal.Detail}.",
        { Kind: ErrorKind.LimitReached } => $"Limit reached: {refusal.Detail}.",
        { Kind: ErrorKind.NotActive } => $"Not active: {refusal.Detail}.",
        { Kind: ErrorKind.Refused } => $"Refused: {refusal.Detail}.",
        _ => refusal.Field is null ? refusal.Detail + "." : $"'{refusal.Field}': {refusal.Detail}.",
    };

    public static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };
}

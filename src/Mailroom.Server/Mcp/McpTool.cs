using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Mailroom.Server.Mcp;

/// <summary>What a tool does to its environment, told to clients as MCP's annotations.</summary>
/// <param name="ReadOnly">Changes nothing.</param>
/// <param name="Destructive">May delete or overwrite something (false: it only adds).</param>
/// <param name="Idempotent">Calling it again with the same arguments has no further effect.</param>
/// <param name="OpenWorld">Reaches beyond Mailroom (mail sent to outside addresses).</param>
public sealed record ToolEffects(bool ReadOnly, bool Destructive, bool Idempotent, bool OpenWorld)
{
    public static readonly ToolEffects Reads = new(true, false, true, false);
}

/// <summary>One call of a tool: who calls, with what, and the request's services.</summary>
public sealed record ToolCall(McpCaller Caller, ToolArguments Arguments, IServiceProvider Services, CancellationToken Cancellation)
{
    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>A tool: its name, its description for a model, its input schema, the scopes that allow it (any one) and what it does.</summary>
public sealed class McpTool(string name, string title, string description, IReadOnlyList<string> scopes, ToolEffects effects, ToolSchema input,
    Func<ToolCall, Task<object>> run)
{
    public string Name => name;
    public IReadOnlyList<string> Scopes => scopes;
    /// <summary>Null when the tool takes any arguments its own schema allows.</summary>
    public IReadOnlyCollection<string>? ArgumentNames { get; } = input.Names;
    public Func<ToolCall, Task<object>> Run => run;

    public Tool Describe() => new()
    {
        Name = name,
        Title = title,
        Description = description,
        InputSchema = input.ToJson(),
        Annotations = new ToolAnnotations
        {
            Title = title, ReadOnlyHint = effects.ReadOnly, DestructiveHint = effects.Destructive, IdempotentHint = effects.Idempotent,
            OpenWorldHint = effects.OpenWorld,
        },
    };
}

/// <summary>A group of tools (inboxes, mail ...); the server serves every registered set.</summary>
public interface IMcpToolSet
{
    IEnumerable<McpTool> Tools();
}

/// <summary>Tools that change with the organization's data (function-tool actions): read for each list and call.</summary>
public interface IMcpToolSource
{
    /// <param name="taken">Names of the fixed tools, which a tool of the source must not take.</param>
    Task<IReadOnlyList<McpTool>> ToolsForAsync(McpCaller caller, IReadOnlySet<string> taken, IServiceProvider services, CancellationToken ct);
}

/// <summary>How tool results are spelled: snake_case, nulls left out, dates in ISO 8601.</summary>
public static class McpJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

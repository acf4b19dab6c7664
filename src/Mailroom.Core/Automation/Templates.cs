using System.Collections.Concurrent;
using System.Text.Json;
using HandlebarsDotNet;
using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

/// <summary>
/// Renders action templates (apiEndpoint, apiBodyTemplate, the text of Reply, ReplySend and Send) with Handlebars.Net.
/// Values are written as they are, without HTML escaping (bodies are JSON or plain text); <c>{{json x}}</c> writes x as a
/// JSON string literal, quotes included, for JSON bodies. Compiled templates are kept, since the same few run on every message.
/// </summary>
public sealed class Templates
{
    private const int MaxCached = 1000;
    private readonly IHandlebars _handlebars;
    private readonly ConcurrentDictionary<string, HandlebarsTemplate<object, object>> _compiled = new();

    public Templates()
    {
        _handlebars = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });
        _handlebars.RegisterHelper("json", (writer, _, arguments) =>
            writer.WriteSafeString(JsonSerializer.Serialize(arguments.Length > 0 ? arguments[0]?.ToString() : null)));
    }

    /// <exception cref="ValidationException">On <paramref name="field"/>, when the template does not compile.</exception>
    public void Check(string field, string? template)
    {
        if (string.IsNullOrEmpty(template)) return;
        try { Compile(template); }
        catch (HandlebarsException e) { throw new ValidationException(field, $"is not a valid template: {e.Message}"); }
    }

    public string Render(string? template, IReadOnlyDictionary<string, object?> context) =>
        string.IsNullOrEmpty(template) ? "" : Compile(template)(context);

    private HandlebarsTemplate<object, object> Compile(string template)
    {
        if (_compiled.TryGetValue(template, out var compiled)) return compiled;
        compiled = _handlebars.Compile(template);
        if (_compiled.Count < MaxCached) _compiled[template] = compiled;
        return compiled;
    }
}

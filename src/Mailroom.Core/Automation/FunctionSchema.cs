using System.Text.Json;
using Json.Schema;
using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

/// <summary>The parameters schema of a function-tool action (JsonSchema.Net): checked against the JSON Schema meta-schema on save, and the arguments of an invoke checked against it.</summary>
public static class FunctionSchema
{
    private const string Field = "function_parameters_schema";

    /// <exception cref="ValidationException">The text is not JSON or not a valid JSON Schema.</exception>
    public static JsonSchema Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ValidationException(Field, "is required for a function tool");
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException e) { throw new ValidationException(Field, $"is not JSON: {e.Message}"); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ValidationException(Field, "must be a JSON Schema object");
            var meta = MetaSchemas.Draft202012.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!meta.IsValid) throw new ValidationException(Field, "is not a valid JSON Schema: " + Describe(meta));
            try { return JsonSchema.FromText(text); }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or RefResolutionException)
            {
                throw new ValidationException(Field, $"is not a valid JSON Schema: {e.Message}");
            }
        }
    }

    /// <summary>Null when the arguments satisfy the schema, else what is wrong.</summary>
    public static string? Violations(JsonSchema schema, JsonElement arguments)
    {
        var result = schema.Evaluate(arguments, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? null : Describe(result);
    }

    private static string Describe(EvaluationResults results)
    {
        var errors = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
            .Distinct().Take(10).ToList();
        return errors.Count > 0 ? string.Join("; ", errors) : "does not validate";
    }
}

using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

/// <summary>ASP.NET Core's problem details, as the vendor's API answers: <c>{"type", "title", "status", "detail"}</c>, plus <c>errors</c> by field on a 400.</summary>
public sealed record Problem(string Type, string Title, int Status, string? Detail, Dictionary<string, string[]>? Errors);

public sealed class AutomationErrors : IDialectErrors
{
    public IResult Error(MailroomException error)
    {
        var status = error.Kind switch
        {
            ErrorKind.Invalid => StatusCodes.Status400BadRequest,
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status403Forbidden,
        };
        var errors = error.Field is null ? null : new Dictionary<string, string[]> { [CamelCase(error.Field)] = [error.Detail] };
        var detail = error.Field is null ? error.Detail : $"{CamelCase(error.Field)}: {error.Detail}";
        return Result(status, detail, errors);
    }

    public IResult Refusal(HttpContext http, RequestRefusal refusal, int status, string? detail = null) => refusal switch
    {
        RequestRefusal.MissingApiKey => Result(status, "an 'Authorization: Bearer <api key>' header is required", null),
        RequestRefusal.InvalidApiKey => Result(status, "the API key is not valid or has been revoked", null),
        RequestRefusal.NoRoute => Result(status, $"no route {http.Request.Path}", null),
        RequestRefusal.MethodNotAllowed => Result(status, $"{http.Request.Method} is not allowed on {http.Request.Path}", null),
        RequestRefusal.UnsupportedMediaType => Result(status, "Content-Type must be application/json", null),
        RequestRefusal.UnreadableBody => Result(status, $"the body could not be read: {detail}", null),
        RequestRefusal.RateLimited => Result(status, $"too many requests for this API key; retry after {detail} s", null),
        RequestRefusal.InternalError => Result(status, "the server failed to answer; the error is logged", null),
        _ => Result(status, detail, null),
    };

    private static IResult Result(int status, string? detail, Dictionary<string, string[]>? errors)
    {
        var (type, title) = status switch
        {
            400 => ("https://tools.ietf.org/html/rfc9110#section-15.5.1", errors is null ? "Bad Request" : "One or more validation errors occurred."),
            401 => ("https://tools.ietf.org/html/rfc9110#section-15.5.2", "Unauthorized"),
            403 => ("https://tools.ietf.org/html/rfc9110#section-15.5.4", "Forbidden"),
            404 => ("https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found"),
            405 => ("https://tools.ietf.org/html/rfc9110#section-15.5.6", "Method Not Allowed"),
            409 => ("https://tools.ietf.org/html/rfc9110#section-15.5.10", "Conflict"),
            413 => ("https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"),
            415 => ("https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"),
            429 => ("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"),
            _ => ("https://tools.ietf.org/html/rfc9110#section-15.6.1", "An error occurred"),
        };
        return Results.Json(new Problem(type, title, status, detail, errors), AutomationJson.Options, "application/problem+json", status);
    }

    /// <summary>Core's snake_case field as the dialect spells it: <c>action_type</c> → <c>actionType</c>.</summary>
    public static string CamelCase(string field)
    {
        var parts = field.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }
}

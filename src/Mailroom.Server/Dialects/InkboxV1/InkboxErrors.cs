using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.InkboxV1;

/// <summary>
/// How this dialect spells refusals, as its vendor's (FastAPI) service does: <c>{"detail": "text"}</c>, and for a
/// field that is missing or malformed 422 with <c>{"detail": [{"loc": ["body", field], "msg", "type"}]}</c>.
/// Limits are 429, a carrier that failed 502, one that is not configured 503.
/// </summary>
public sealed class InkboxErrors : IDialectErrors
{
    public sealed record ErrorBody(object Detail);
    public sealed record FieldError(IReadOnlyList<string> Loc, string Msg, string Type);

    public IResult Error(MailroomException error) => error.Kind switch
    {
        ErrorKind.Invalid => Result(StatusCodes.Status422UnprocessableEntity,
            new[] { new FieldError(["body", error.Field ?? "body"], error.Detail, "value_error") }),
        ErrorKind.NotFound => Result(StatusCodes.Status404NotFound, Capitalized(error.Detail)),
        ErrorKind.Conflict => Result(StatusCodes.Status409Conflict, Text(error)),
        ErrorKind.LimitReached => Result(StatusCodes.Status429TooManyRequests, Text(error)),
        ErrorKind.Unavailable when error.Code == ErrorCodes.NotConfigured => Result(StatusCodes.Status503ServiceUnavailable, error.Detail),
        ErrorKind.Unavailable => Result(StatusCodes.Status502BadGateway, error.Detail),
        _ => Result(StatusCodes.Status403Forbidden, Text(error)),
    };

    public IResult Refusal(HttpContext http, RequestRefusal refusal, int status, string? detail = null)
    {
        var request = http.Request;
        var text = refusal switch
        {
            RequestRefusal.MissingApiKey => "Not authenticated: send the API key as 'Authorization: Bearer <key>', X-API-Key or X-Service-Token",
            RequestRefusal.InvalidApiKey => "Invalid API key",
            RequestRefusal.NoRoute => "Not Found",
            RequestRefusal.MethodNotAllowed => "Method Not Allowed",
            RequestRefusal.UnsupportedMediaType => "Content-Type must be application/json",
            RequestRefusal.UnreadableBody => $"The body could not be read: {detail}",
            RequestRefusal.RateLimited => $"Too many requests for this API key; retry after {detail} s",
            RequestRefusal.InternalError => "Internal Server Error",
            _ => $"Status {status} on {request.Path}",
        };
        return Result(status, text);
    }

    private static IResult Result(int status, object detail) => Results.Json(new ErrorBody(detail), InkboxJson.Options, statusCode: status);

    private static string Text(MailroomException error) => error.Field is null ? error.Detail : $"{error.Field}: {error.Detail}";

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

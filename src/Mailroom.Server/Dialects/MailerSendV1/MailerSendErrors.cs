using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.MailerSendV1;

/// <summary>MailerSend's error body: <c>{"message": "..."}</c>, with <c>errors: {field: ["..."]}</c> on 422.</summary>
public sealed record MailerSendError(string Message,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>
/// How MailerSend spells refusals: 422 for anything the caller can correct in the request (validation, a taken
/// address, a resend of a verified identity, a From it may not use), 404 for unknown or other organizations' ids,
/// 429 for limits, 401 for keys.
/// </summary>
public sealed class MailerSendErrors : IDialectErrors
{
    public IResult Error(MailroomException error) => error.Kind switch
    {
        ErrorKind.NotFound => Result(StatusCodes.Status404NotFound, error.Detail),
        ErrorKind.LimitReached => Result(StatusCodes.Status429TooManyRequests, Sentence(WireField(error.Field), error.Detail)),
        _ => Invalid(WireField(error.Field), error.Detail),
    };

    public IResult Refusal(HttpContext http, RequestRefusal refusal, int status, string? detail = null) => refusal switch
    {
        RequestRefusal.MissingApiKey or RequestRefusal.InvalidApiKey => Result(StatusCodes.Status401Unauthorized, "Unauthenticated."),
        RequestRefusal.NoRoute => Result(status, $"The route {http.Request.Path} could not be found."),
        RequestRefusal.MethodNotAllowed => Result(status, $"The {http.Request.Method} method is not supported for route {http.Request.Path}."),
        RequestRefusal.UnsupportedMediaType => Result(status, "The request body must be JSON (Content-Type: application/json)."),
        RequestRefusal.UnreadableBody => Result(status, $"The request body could not be read: {detail}."),
        RequestRefusal.RateLimited => Result(status, $"Too Many Attempts. Retry after {detail} seconds."),
        RequestRefusal.InternalError => Result(status, "Server Error"),
        _ => Result(status, $"Status {status}."),
    };

    private static IResult Invalid(string? field, string detail)
    {
        var message = Sentence(field, detail);
        return MailerSendJson.Json(new MailerSendError(message, new Dictionary<string, string[]> { [field ?? "body"] = [message] }),
            StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>Core's canonical names are MailerSend's except the sender, which MailerSend names by its address field.</summary>
    private static string? WireField(string? field) => field == "from" ? "from.email" : field;

    private static string Sentence(string? field, string detail) => field is null ? Capital(detail) + "." : $"The {field} {detail}.";

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static IResult Result(int status, string message) => MailerSendJson.Json(new MailerSendError(message), status);
}

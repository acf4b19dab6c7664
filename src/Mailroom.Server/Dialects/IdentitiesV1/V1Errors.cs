using System.Globalization;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.IdentitiesV1;

/// <summary>The error body of every /v1 route: <c>{"error": "code", "message": "field: reason"}</c>.</summary>
public sealed record V1Error(string Error, string Message);

/// <summary>
/// The spec's codes (402 <c>plan_limit_reached</c>, 409 and 422 <c>invalid_request</c>, 422 <c>identity_not_active</c>,
/// 409 <c>stale_draft</c>) and Mailroom's own for what the spec does not name (see docs/identities-v1.md).
/// </summary>
public sealed class V1Errors : IDialectErrors
{
    public IResult Error(MailroomException error)
    {
        var (status, code) = error.Code switch
        {
            ErrorCodes.StaleDraft => (StatusCodes.Status409Conflict, "stale_draft"),
            ErrorCodes.DraftDecided => (StatusCodes.Status409Conflict, "draft_not_pending"),
            ErrorCodes.IdentityNotActive => (StatusCodes.Status422UnprocessableEntity, "identity_not_active"),
            ErrorCodes.ScopeMissing => (StatusCodes.Status403Forbidden, "insufficient_scope"),
            ErrorCodes.RateLimited => (StatusCodes.Status429TooManyRequests, "rate_limited"),
            _ => error.Kind switch
            {
                ErrorKind.Invalid => (StatusCodes.Status422UnprocessableEntity, "invalid_request"),
                ErrorKind.NotFound => (StatusCodes.Status404NotFound, "not_found"),
                ErrorKind.Conflict => (StatusCodes.Status409Conflict, "invalid_request"),
                ErrorKind.LimitReached => (StatusCodes.Status402PaymentRequired, "plan_limit_reached"),
                ErrorKind.NotActive => (StatusCodes.Status422UnprocessableEntity, "identity_not_active"),
                ErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "unavailable"),
                _ => (StatusCodes.Status403Forbidden, "forbidden"),
            },
        };
        var message = error.Field is null ? error.Detail : $"{error.Field}: {error.Detail}";
        var result = Result(status, code, message);
        return error is TooManyException tooMany ? new WithRetryAfter(result, tooMany.RetryAfter) : result;
    }

    public IResult Refusal(HttpContext http, RequestRefusal refusal, int status, string? detail = null)
    {
        var request = http.Request;
        var (code, message) = refusal switch
        {
            RequestRefusal.MissingApiKey => ("unauthorized", "Authorization: a 'Bearer <api key>' header is required"),
            RequestRefusal.InvalidApiKey => ("unauthorized", "Authorization: the API key is not valid or has been revoked"),
            RequestRefusal.NoRoute => ("not_found", $"no route {request.Path}"),
            RequestRefusal.MethodNotAllowed => ("method_not_allowed", $"{request.Method} is not allowed on {request.Path}"),
            RequestRefusal.UnsupportedMediaType => ("invalid_request", "Content-Type: must be application/json"),
            RequestRefusal.UnreadableBody => ("invalid_request", $"body: {detail}"),
            RequestRefusal.RateLimited => ("rate_limited", $"too many requests for this API key; retry after {detail} s"),
            RequestRefusal.InternalError => ("internal_error", "the server failed to answer; the error is logged"),
            _ => ("error", $"status {status}"),
        };
        return Result(status, code, message);
    }

    private static IResult Result(int status, string code, string message) => Results.Json(new V1Error(code, message), V1Json.Options, statusCode: status);

    private sealed class WithRetryAfter(IResult inner, TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(http);
        }
    }
}

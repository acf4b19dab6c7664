using Mailroom.Core.Common;
using Mailroom.Core.Messaging;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>The one error body every /api/v0 route answers with: <c>{"name": "...", "message": "field: reason"}</c>.</summary>
public sealed record ApiError(string Name, string Message);

/// <summary>How v0 spells refusals: its error names and status codes (403 for limits and policy, 409 for conflicts).</summary>
public sealed class V0Errors : IDialectErrors
{
    public IResult Error(MailroomException error)
    {
        var (status, name) = error switch
        {
            MessageRejectedException => (StatusCodes.Status403Forbidden, "MessageRejectedError"),
            _ => error.Kind switch
            {
                ErrorKind.Invalid => (StatusCodes.Status400BadRequest, "ValidationError"),
                ErrorKind.NotFound => (StatusCodes.Status404NotFound, "NotFoundError"),
                // A clash with the organization's state, not with something that exists already.
                ErrorKind.Conflict when error.Code == ErrorCodes.LastFullAccessKey => (StatusCodes.Status409Conflict, "ConflictError"),
                ErrorKind.Conflict => (StatusCodes.Status409Conflict, "AlreadyExistsError"),
                ErrorKind.LimitReached => (StatusCodes.Status403Forbidden, "LimitExceededError"),
                _ => (StatusCodes.Status403Forbidden, "ForbiddenError"),
            },
        };
        return Result(status, name, MessageOf(error));
    }

    public IResult Refusal(HttpContext http, RequestRefusal refusal, int status, string? detail = null)
    {
        var request = http.Request;
        var (name, message) = refusal switch
        {
            RequestRefusal.MissingApiKey => ("UnauthorizedError", "Authorization: a 'Bearer <api key>' header is required"),
            RequestRefusal.InvalidApiKey => ("UnauthorizedError", "Authorization: the API key is not valid or has been revoked"),
            RequestRefusal.NoRoute => ("NotFoundError", $"no route {request.Path}"),
            RequestRefusal.MethodNotAllowed => ("MethodNotAllowedError", $"{request.Method} is not allowed on {request.Path}"),
            RequestRefusal.UnsupportedMediaType => ("ValidationError", "Content-Type: must be application/json"),
            RequestRefusal.UnreadableBody => ("ValidationError", $"body: {detail}"),
            RequestRefusal.RateLimited => ("RateLimitError", $"too many requests for this API key; retry after {detail} s"),
            RequestRefusal.InternalError => ("InternalError", "the server failed to answer; the error is logged"),
            _ => ("Error", $"status {status}"),
        };
        return Result(status, name, message);
    }

    public static IResult NotFound(string what) => Result(StatusCodes.Status404NotFound, "NotFoundError", $"{what} not found");

    private static IResult Result(int status, string name, string message) => Results.Json(new ApiError(name, message), V0Json.Options, statusCode: status);

    /// <summary><c>field: detail</c>, with the hint a v0 caller needs where the reason has one.</summary>
    private static string MessageOf(MailroomException error)
    {
        var message = error.Field is null ? error.Detail : $"{error.Field}: {error.Detail}";
        return error.Code == ErrorCodes.DomainNotInOrganization ? message + "; add it with POST /domains first" : message;
    }
}

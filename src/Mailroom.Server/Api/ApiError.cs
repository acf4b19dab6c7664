using System.Text.Json;
using Mailroom.Core.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Mailroom.Server.Api;

/// <summary>The one error body every /api/v0 route answers with: <c>{"name": "...", "message": "..."}</c>.</summary>
public sealed record ApiError(string Name, string Message)
{
    public static IResult Result(int status, string name, string message) =>
        Results.Json(new ApiError(name, message), ApiJson.Options, statusCode: status);

    public static IResult NotFound(string what) => Result(StatusCodes.Status404NotFound, "NotFoundError", $"{what} not found");

    /// <summary>Gives routing's own refusals (404 no route, 405, 415) the same body as every other error.</summary>
    public static Task ForBareStatusAsync(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        var (name, message) = response.StatusCode switch
        {
            404 => ("NotFoundError", $"no route {context.HttpContext.Request.Path}"),
            405 => ("MethodNotAllowedError", $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}"),
            415 => ("ValidationError", "Content-Type: must be application/json"),
            var status => ("Error", $"status {status}"),
        };
        return response.WriteAsJsonAsync(new ApiError(name, message), ApiJson.Options);
    }

    public static int StatusOf(MailroomException e) => e switch
    {
        ValidationException => StatusCodes.Status400BadRequest,
        NotFoundException => StatusCodes.Status404NotFound,
        ConflictException => StatusCodes.Status409Conflict,
        LimitExceededException => StatusCodes.Status403Forbidden,
        Mail.Outbound.MessageRejectedException => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };
}

/// <summary>Turns refusals and unreadable bodies into <see cref="ApiError"/>s; anything else is a logged 500.</summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, error) = exception switch
        {
            MailroomException e => (ApiError.StatusOf(e), new ApiError(e.Name, e.Message)),
            BadHttpRequestException { InnerException: JsonException json } => (400, new ApiError("ValidationError", BodyMessage(json))),
            JsonException json => (400, new ApiError("ValidationError", BodyMessage(json))),
            BadHttpRequestException bad => (bad.StatusCode, new ApiError("ValidationError", $"body: {bad.Message}")),
            _ => (500, new ApiError("InternalError", "the server failed to answer; the error is logged")),
        };
        if (status == 500) logger.LogError(exception, "unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(error, ApiJson.Options, ct);
        return true;
    }

    private static string BodyMessage(JsonException json) =>
        json.Path is { Length: > 2 } path ? $"{path[2..]}: is not valid" : "body: is not a valid JSON object";
}

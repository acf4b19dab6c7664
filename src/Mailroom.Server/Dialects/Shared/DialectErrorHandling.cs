using System.Text.Json;
using Mailroom.Core.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>
/// Turns refusals, unreadable bodies and faults into the error shape of the dialect that owns the path; anything
/// unexpected is a logged 500.
/// </summary>
public sealed class DialectExceptionHandler(ApiDialects dialects, ILogger<DialectExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var errors = dialects.ErrorsFor(context.Request.Path);
        var result = exception switch
        {
            MailroomException e => errors.Error(e),
            BadHttpRequestException { InnerException: JsonException json } => errors.Error(RequestBody.FieldOf(json)),
            JsonException json => errors.Error(RequestBody.FieldOf(json)),
            BadHttpRequestException bad => errors.Refusal(context, RequestRefusal.UnreadableBody, bad.StatusCode, bad.Message),
            _ => null,
        };
        if (result is null)
        {
            logger.LogError(exception, "unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            result = errors.Refusal(context, RequestRefusal.InternalError, StatusCodes.Status500InternalServerError);
        }
        await result.ExecuteAsync(context);
        return true;
    }

    /// <summary>Gives routing's own refusals (404 no route, 405, 415 ...) the body of the dialect that owns the path.</summary>
    public static Task ForBareStatusAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var refusal = status switch
        {
            404 => RequestRefusal.NoRoute,
            405 => RequestRefusal.MethodNotAllowed,
            415 => RequestRefusal.UnsupportedMediaType,
            _ => RequestRefusal.Other,
        };
        return ApiDialects.ErrorsOf(http).Refusal(http, refusal, status).ExecuteAsync(http);
    }
}

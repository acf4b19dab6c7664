using System.Text;
using Mailroom.Core.Events;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>
/// <c>GET /api/v0/events/stream</c>: Server-Sent Events for agents without a public URL. Each event is the webhook
/// payload, with <c>id:</c> set to the event id; a client that reconnects with <c>Last-Event-ID</c> (or
/// <c>?last_event_id=</c>) resumes after it. Filters: <c>inbox_ids</c> and <c>event_types</c>, comma separated.
/// </summary>
public static class EventStreamEndpoints
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void MapEventStream(this RouteGroupBuilder v0)
    {
        v0.MapGet("/events/stream", async (HttpContext http, IEventRepository events, TimeProvider time,
            string? inbox_ids, string? event_types, string? last_event_id) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var inboxes = Split(inbox_ids);
            var types = Split(event_types);
            foreach (var type in types)
                if (!EventTypes.All.Contains(type))
                    throw new Core.Common.ValidationException("event_types", $"'{type}' is not an event type");

            var resumeFrom = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? last_event_id;
            var cursor = resumeFrom is null
                ? await events.CurrentPositionAsync(http.RequestAborted)
                : await events.PositionOfAsync(orgId, resumeFrom, http.RequestAborted)
                  ?? throw new Core.Common.ValidationException("Last-Event-ID", $"event {resumeFrom} is not known");
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.WriteAsync(": connected\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            var lastWrite = time.GetUtcNow();
            try
            {
                while (!http.RequestAborted.IsCancellationRequested)
                {
                    var batch = await events.ListAfterAsync(orgId, cursor, 100, http.RequestAborted);
                    foreach (var e in batch)
                    {
                        cursor = e.Position;
                        if (types.Count > 0 && !types.Contains(e.Type)) continue;
                        if (inboxes.Count > 0 && (e.InboxId is null || !inboxes.Contains(e.InboxId))) continue;
                        await http.Response.WriteAsync(Frame(e), http.RequestAborted);
                        lastWrite = time.GetUtcNow();
                    }
                    if (time.GetUtcNow() - lastWrite > KeepAlive)
                    {
                        await http.Response.WriteAsync(": keep-alive\n\n", http.RequestAborted);
                        lastWrite = time.GetUtcNow();
                    }
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                    if (batch.Count == 0) await Task.Delay(Poll, http.RequestAborted);
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client went away; nothing to clean up.
            }
            return Results.Empty;
        }).Produces(200, contentType: "text/event-stream");
    }

    private static string Frame(MailEvent e) => new StringBuilder()
        .Append("id: ").Append(e.Id).Append('\n')
        .Append("event: ").Append(e.Type).Append('\n')
        .Append("data: ").Append(e.PayloadJson).Append("\n\n")
        .ToString();

    private static HashSet<string> Split(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
}

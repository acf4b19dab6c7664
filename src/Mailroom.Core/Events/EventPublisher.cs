using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;

namespace Mailroom.Core.Events;

/// <summary>
/// Writes events in the caller's transaction. The payload is the one webhooks and the event stream carry:
/// <c>{"type": "event", "event_type", "event_id", "created_at", "inbox_id"?, &lt;subject&gt;: {...}}</c>, in the same
/// <see cref="WireJson"/> form as API responses, so the subject reads exactly as the API shows it.
/// </summary>
public sealed class EventPublisher(IEventRepository events, TimeProvider time)
{
    /// <param name="subjectName">The payload key of the thing the event is about: <c>message</c>, <c>domain</c>.</param>
    public async Task<MailEvent> PublishAsync(string orgId, string type, string? inboxId, string subjectName, object subject, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.Event, time);
        var payload = new JsonObject
        {
            ["type"] = "event",
            ["event_type"] = type,
            ["event_id"] = id,
            ["created_at"] = WireJson.Timestamp(now),
            ["inbox_id"] = inboxId,
            [subjectName] = JsonSerializer.SerializeToNode(subject, subject.GetType(), WireJson.Options),
        };
        var mailEvent = new MailEvent
        {
            Id = id, OrgId = orgId, Type = type, InboxId = inboxId, PayloadJson = payload.ToJsonString(WireJson.Options), CreatedAt = now,
        };
        await events.AppendAsync(mailEvent, ct);
        return mailEvent;
    }
}

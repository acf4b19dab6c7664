using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Events;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>
/// The payload webhooks and the event stream carry: <c>{"type": "event", "event_type", "event_id", "created_at",
/// "inbox_id", &lt;subject&gt;: {...}}</c>, the subject (<c>message</c> or <c>domain</c>) exactly as the API shows it.
/// </summary>
/// <summary>A draft as draft events carry it (a Mailroom addition: v0 has no drafts; the identities API shows the same fields).</summary>
public sealed record DraftPayload(string DraftId, string? IdentityId, string? ThreadId, string? BasedOnMessageId, string Status, int Version,
    string? Subject, IReadOnlyList<string> To, IReadOnlyList<string> Cc, string? DecidedBy, DateTimeOffset? DecidedAt, string? RejectReason,
    string? SentMessageId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static DraftPayload Of(Core.Drafts.Draft d) => new(d.Id, d.InboxId, d.ThreadId, d.BasedOnMessageId, d.State, d.Version, d.Content.Subject,
        d.Content.To, d.Content.Cc, d.DecidedBy, d.DecidedAt, d.RejectReason, d.SentMessageId, d.CreatedAt, d.UpdatedAt);
}

public sealed class V0EventPayloads : IEventPayloadWriter
{
    public string Write(DomainEvent domainEvent, string eventId, DateTimeOffset createdAt)
    {
        var (subjectName, subject) = domainEvent switch
        {
            MessageEvent m => ("message", (object)MessageViews.Item(m.Message, m.Attachments)),
            DomainVerified d => ("domain", DomainEndpoints.ToResponse(d.Domain)),
            SenderIdentityVerified s => ("sender_identity", SenderIdentityPayload(s)),
            SmsEvent s => ("sms", SmsPayload.Of(s.Sms)),
            DraftEvent d => ("draft", DraftPayload.Of(d.Draft)),
            _ => throw new ArgumentException($"v0 has no payload for {domainEvent.GetType().Name}", nameof(domainEvent)),
        };
        var payload = new JsonObject
        {
            ["type"] = "event",
            ["event_type"] = domainEvent.Type,
            ["event_id"] = eventId,
            ["created_at"] = V0Json.Timestamp(createdAt),
            ["inbox_id"] = domainEvent.InboxId,
            [subjectName] = JsonSerializer.SerializeToNode(subject, subject.GetType(), V0Json.Options),
        };
        return payload.ToJsonString(V0Json.Options);
    }

    /// <summary>The identity a person confirmed, in v0's spelling (no v0 route shows identities; a domain's id is its name, as in v0).</summary>
    private static object SenderIdentityPayload(SenderIdentityVerified verified) => new
    {
        id = verified.Identity.Id, email = verified.Identity.Email, name = verified.Identity.Name, domain_id = verified.Domain.Name,
        is_verified = verified.Identity.IsVerified, verified_at = verified.Identity.VerifiedAt,
        created_at = verified.Identity.CreatedAt,
    };
}

/// <summary>
/// An SMS as events carry it. Phone numbers and SMS are shown only by the agent handles dialect, whose ids are UUIDs,
/// so the payload names them by the same UUIDs.
/// </summary>
public sealed record SmsPayload(Guid SmsId, Guid PhoneNumberId, string Direction, string From, string To, string Text, string Status, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static SmsPayload Of(Core.Sms.SmsMessage m) => new(Core.Common.Ids.ToUuid(m.Id)!.Value, Core.Common.Ids.ToUuid(m.PhoneNumberId)!.Value,
        m.Direction, m.From, m.To, m.Text, m.Status, m.Error, m.CreatedAt, m.UpdatedAt);
}

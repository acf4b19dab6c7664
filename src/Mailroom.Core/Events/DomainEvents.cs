using Mailroom.Core.Domains;
using Mailroom.Core.Messages;
using Mailroom.Core.SenderIdentities;
using Mailroom.Core.Sms;

namespace Mailroom.Core.Events;

/// <summary>
/// A change that others react to, published by the use case that made it inside its transaction (see
/// <see cref="EventPublisher"/>). <see cref="Type"/> is the canonical name of <see cref="EventTypes"/>.
/// </summary>
public abstract record DomainEvent(string OrgId, string? InboxId)
{
    public abstract string Type { get; }
}

/// <summary>An event about one message; it carries the message's attachments so that no subscriber reads them again.</summary>
public abstract record MessageEvent(Message Message, IReadOnlyList<Attachment> Attachments) : DomainEvent(Message.OrgId, Message.InboxId);

public sealed record MessageReceived(Message Message, IReadOnlyList<Attachment> Attachments) : MessageEvent(Message, Attachments)
{
    public override string Type => EventTypes.MessageReceived;
}

/// <summary>Accepted for delivery and queued.</summary>
public sealed record MessageSent(Message Message, IReadOnlyList<Attachment> Attachments) : MessageEvent(Message, Attachments)
{
    public override string Type => EventTypes.MessageSent;
}

public sealed record MessageDelivered(Message Message, IReadOnlyList<Attachment> Attachments) : MessageEvent(Message, Attachments)
{
    public override string Type => EventTypes.MessageDelivered;
}

public sealed record MessageBounced(Message Message, IReadOnlyList<Attachment> Attachments) : MessageEvent(Message, Attachments)
{
    public override string Type => EventTypes.MessageBounced;
}

/// <summary>Refused by policy before sending; the message is kept with status <c>rejected</c>.</summary>
public sealed record MessageRejected(Message Message, IReadOnlyList<Attachment> Attachments) : MessageEvent(Message, Attachments)
{
    public override string Type => EventTypes.MessageRejected;
}

public sealed record DomainVerified(Domain Domain) : DomainEvent(Domain.OrgId, null)
{
    public override string Type => EventTypes.DomainVerified;
}

/// <summary>The person holding the address confirmed it: the identity may send from now on.</summary>
public sealed record SenderIdentityVerified(SenderIdentity Identity, SenderDomain Domain) : DomainEvent(Identity.OrgId, null)
{
    public override string Type => EventTypes.SenderIdentityVerified;
}

/// <summary>An event about one SMS of a phone number; it belongs to no inbox, so only webhooks without an inbox filter see it.</summary>
public abstract record SmsEvent(SmsMessage Sms) : DomainEvent(Sms.OrgId, null);

public sealed record SmsReceived(SmsMessage Sms) : SmsEvent(Sms)
{
    public override string Type => EventTypes.SmsReceived;
}

/// <summary>The carrier reported the SMS sent on to the network.</summary>
public sealed record SmsSent(SmsMessage Sms) : SmsEvent(Sms)
{
    public override string Type => EventTypes.SmsSent;
}

public sealed record SmsDelivered(SmsMessage Sms) : SmsEvent(Sms)
{
    public override string Type => EventTypes.SmsDelivered;
}

/// <summary>The carrier could not deliver the SMS; <see cref="SmsMessage.Error"/> says why where it told.</summary>
public sealed record SmsFailed(SmsMessage Sms) : SmsEvent(Sms)
{
    public override string Type => EventTypes.SmsFailed;
}

/// <summary>An event about one draft, carrying the draft as it is after the change.</summary>
public abstract record DraftEvent(Drafts.Draft Draft) : DomainEvent(Draft.OrgId, Draft.InboxId);

public sealed record DraftCreated(Drafts.Draft Draft) : DraftEvent(Draft)
{
    public override string Type => EventTypes.DraftCreated;
}

public sealed record DraftApproved(Drafts.Draft Draft) : DraftEvent(Draft)
{
    public override string Type => EventTypes.DraftApproved;
}

public sealed record DraftRejected(Drafts.Draft Draft) : DraftEvent(Draft)
{
    public override string Type => EventTypes.DraftRejected;
}

/// <summary>The approved draft's message was queued for delivery.</summary>
public sealed record DraftSent(Drafts.Draft Draft) : DraftEvent(Draft)
{
    public override string Type => EventTypes.DraftSent;
}

/// <summary>Newer mail reached the draft's thread: it may no longer answer what it should.</summary>
public sealed record DraftStale(Drafts.Draft Draft) : DraftEvent(Draft)
{
    public override string Type => EventTypes.DraftStale;
}

/// <summary>
/// A pending draft was not decided in time and went to its identity's secondary approval channel;
/// <paramref name="Announced"/> says whether that channel took the card.
/// </summary>
public sealed record DraftEscalated(Drafts.Draft Draft, bool Announced) : DraftEvent(Draft)
{
    public override string Type => EventTypes.DraftEscalated;
}

/// <summary>Reacts to domain events inside the transaction that published them: whatever it writes commits or rolls back with the change.</summary>
public interface IDomainEventSubscriber
{
    Task OnEventAsync(DomainEvent domainEvent, CancellationToken ct);
}

namespace Mailroom.Smtp.Client;

public enum SmtpDeliveryStatus
{
    /// <summary>The server took responsibility for the message (2xx after the data).</summary>
    Delivered,

    /// <summary>A 4xx reply, a network fault or a timeout: try again later.</summary>
    TransientFailure,

    /// <summary>A 5xx reply: do not retry, bounce.</summary>
    PermanentFailure,
}

/// <summary>The outcome for one recipient and the reply that decided it (the RCPT reply when it was refused, else the final data reply).</summary>
public sealed record SmtpRecipientResult(string Address, SmtpDeliveryStatus Status, SmtpReply? Reply);

/// <summary>
/// The outcome of one delivery attempt. <see cref="Status"/> is <see cref="SmtpDeliveryStatus.Delivered"/> when at least
/// one recipient got the message; <see cref="Recipients"/> then says which did not.
/// </summary>
public sealed record SmtpDeliveryResult(
    SmtpDeliveryStatus Status,
    IReadOnlyList<SmtpRecipientResult> Recipients,
    SmtpReply? Reply,
    string Message)
{
    /// <summary>The reply to the end of the message data, when the client got that far.</summary>
    public SmtpReply? DataReply { get; init; }

    public static SmtpDeliveryStatus Classify(SmtpReply reply) =>
        reply.IsPositiveCompletion ? SmtpDeliveryStatus.Delivered
        : reply.IsPermanentNegative ? SmtpDeliveryStatus.PermanentFailure
        : SmtpDeliveryStatus.TransientFailure;
}

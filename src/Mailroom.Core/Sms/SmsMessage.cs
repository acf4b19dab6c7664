using Mailroom.Core.Common;

namespace Mailroom.Core.Sms;

/// <summary>One SMS to or from a phone number of the organization.</summary>
public sealed class SmsMessage
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string PhoneNumberId { get; init; }
    public required string Direction { get; init; }
    /// <summary>The organization's number.</summary>
    public required string LocalNumber { get; init; }
    /// <summary>The other party: what a number's messages are grouped by.</summary>
    public required string RemoteNumber { get; init; }
    public required string Text { get; init; }
    public required string Status { get; set; }
    /// <summary>The carrier's id (Twilio's <c>MessageSid</c>); an inbound SMS is stored once per id.</summary>
    public string? CarrierSid { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string From => Direction == SmsDirection.Inbound ? RemoteNumber : LocalNumber;
    public string To => Direction == SmsDirection.Inbound ? LocalNumber : RemoteNumber;
}

public static class SmsDirection
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";
}

/// <summary>Where an SMS is: outbound ones go queued, then sent, then delivered or failed.</summary>
public static class SmsStatus
{
    public const string Received = "received";
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    /// <summary>How far along an outbound status is; a callback that arrives late never moves a message back.</summary>
    public static int Rank(string status) => status switch
    {
        Queued => 0,
        Sent => 1,
        Delivered or Failed => 2,
        _ => -1,
    };
}

public interface ISmsMessageRepository
{
    /// <summary>Inserts the message; false when a message with its carrier id is stored already (a carrier retry).</summary>
    Task<bool> CreateAsync(SmsMessage message, CancellationToken ct = default);
    Task<SmsMessage?> GetAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>The message with this id, in any organization: for carrier callbacks, which name no organization.</summary>
    Task<SmsMessage?> FindAsync(string id, CancellationToken ct = default);
    /// <summary>A number's messages grouped by the other party: ordered by remote number, then oldest first.</summary>
    Task<Page<SmsMessage>> ListAsync(string orgId, string phoneNumberId, PageRequest page, CancellationToken ct = default);
    Task UpdateAsync(SmsMessage message, CancellationToken ct = default);
    Task DeleteAsync(string orgId, string id, CancellationToken ct = default);
}

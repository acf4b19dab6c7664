using Mailroom.Core.Common;

namespace Mailroom.Core.Sms;

/// <summary>A phone number the organization holds at an SMS carrier; SMS to it arrive through the carrier's webhook.</summary>
public sealed class PhoneNumber
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    /// <summary>E.164: <c>+</c>, country code, number.</summary>
    public required string Number { get; init; }
    public required string Type { get; init; }
    public string Status { get; set; } = PhoneNumberStatus.Active;
    /// <summary>The carrier's name (<c>twilio</c>) and its id for the number, which release needs.</summary>
    public required string Carrier { get; init; }
    public string? CarrierSid { get; init; }
    /// <summary>Stored and shown; Mailroom does not handle calls.</summary>
    public string IncomingCallAction { get; set; } = IncomingCallActions.AutoReject;
    public string? ClientWebsocketUrl { get; set; }
    public string? IncomingCallWebhookUrl { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class PhoneNumberTypes
{
    public const string Local = "local";
    public const string TollFree = "toll_free";

    public static bool IsKnown(string type) => type is Local or TollFree;
}

public static class PhoneNumberStatus
{
    public const string Active = "active";
}

public static class IncomingCallActions
{
    public const string AutoAccept = "auto_accept";
    public const string AutoReject = "auto_reject";
    public const string Webhook = "webhook";

    public static bool IsKnown(string action) => action is AutoAccept or AutoReject or Webhook;
}

public interface IPhoneNumberRepository
{
    /// <summary>Inserts the number; false when the number is held already (by this or another organization).</summary>
    Task<bool> CreateAsync(PhoneNumber number, CancellationToken ct = default);
    Task<PhoneNumber?> GetAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>The number held at this E.164 number, in any organization: where an inbound SMS goes.</summary>
    Task<PhoneNumber?> FindByNumberAsync(string e164, CancellationToken ct = default);
    /// <summary>The organization's numbers, newest first.</summary>
    Task<Page<PhoneNumber>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default);
    Task<long> CountAsync(string orgId, CancellationToken ct = default);
    Task UpdateAsync(PhoneNumber number, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default);
}

using Mailroom.Core.Common;

namespace Mailroom.Core.Sms;

/// <summary>A number the carrier holds for us: its id there and its E.164 number.</summary>
public sealed record CarrierNumber(string CarrierSid, string Number);

/// <summary>
/// An SMS carrier's API as Mailroom uses it. The adapter points each number's inbound webhook and each message's
/// status callback at Mailroom itself; every failure of the carrier is an <see cref="UnavailableException"/> with
/// <see cref="ErrorCodes.UpstreamFailed"/> and the carrier's own message, and a carrier that is not configured is one
/// with <see cref="ErrorCodes.NotConfigured"/> naming the settings.
/// </summary>
public interface ISmsCarrier
{
    /// <summary>The name stored with each number (<c>twilio</c>).</summary>
    string Name { get; }
    /// <summary>Finds an available number of the type (in the area code, if given), buys it and points its SMS webhook here.</summary>
    Task<CarrierNumber> BuyAsync(string type, string? areaCode, CancellationToken ct);
    /// <summary>Takes a number the account already holds at the carrier and points its SMS webhook here.</summary>
    Task<CarrierNumber> ImportAsync(string e164, CancellationToken ct);
    /// <summary>Gives the number back to the carrier; a number the carrier no longer has counts as released.</summary>
    Task ReleaseAsync(string carrierSid, CancellationToken ct);
    /// <summary>Sends an SMS and returns the carrier's id for it; its status callbacks will name <paramref name="messageId"/>.</summary>
    Task<string> SendAsync(string messageId, string from, string to, string text, CancellationToken ct);
}

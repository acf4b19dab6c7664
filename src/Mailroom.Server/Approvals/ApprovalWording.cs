using System.Globalization;
using System.Security.Cryptography;
using Mailroom.Core.Approvals;

namespace Mailroom.Server.Approvals;

/// <summary>How chat cards say what became of a draft, the same on Telegram and Slack.</summary>
internal static class ApprovalWording
{
    /// <summary>The outcome in one line; an <c>edited</c> outcome (a new version replaced the card's) says the new version follows.</summary>
    public static string Outcome(ApprovalOutcome outcome)
    {
        if (outcome.State == Edited) return EditedLine(outcome.DecidedBy, outcome.DecidedAt);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{Verb(outcome.State)} by {outcome.DecidedBy} at {outcome.DecidedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        return string.IsNullOrWhiteSpace(outcome.Reason) ? line : $"{line}: {outcome.Reason}";
    }

    /// <summary>The state the draft use cases close a card with when a new version replaces it.</summary>
    public const string Edited = "edited";

    /// <summary>A mark for the outcome, in Telegram's plain text.</summary>
    public static string Mark(ApprovalOutcome outcome) => outcome.State switch { "rejected" => "❌", Edited => "✏️", _ => "✅" };

    private static string EditedLine(string editedBy, DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"Edited by {editedBy} at {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the new version follows.");

    /// <summary>Approving sends, so an approved draft may already read <c>sent</c> (or <c>failed</c>) by the time the card closes.</summary>
    private static string Verb(string state) => state switch
    {
        "approved" or "sent" => "Approved",
        "rejected" => "Rejected",
        "failed" => "Approved (sending failed)",
        "" => "Decided",
        _ => char.ToUpperInvariant(state[0]) + state[1..],
    };

    public static string NewSecret() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}

/// <summary>The actions a card's buttons carry (the <c>action</c> of their one-time links).</summary>
public static class ButtonActions
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string Edit = "edit";
}

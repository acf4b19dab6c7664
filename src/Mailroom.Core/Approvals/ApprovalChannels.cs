namespace Mailroom.Core.Approvals;

/// <summary>Approval channel types, as the identities dialect spells them in <c>approval_channel.type</c>.</summary>
public static class ApprovalChannelTypes
{
    public const string Email = "email";
    public const string Telegram = "telegram";
    public const string Slack = "slack";
}

/// <summary>
/// A channel's settings as stored: its type and its <c>config</c> values, secrets included (the store seals them at
/// rest; dialects show them masked, see <see cref="IApprovalChannel.SecretKeys"/>).
/// </summary>
public sealed record ApprovalChannelConfig(string Type, IReadOnlyDictionary<string, string> Values)
{
    public string? this[string key] => Values.TryGetValue(key, out var value) ? value : null;
}

/// <summary>What a person is asked to decide: a draft at one version, shown the same on every channel.</summary>
public sealed record ApprovalCard
{
    public required string OrgId { get; init; }
    public required string DraftId { get; init; }
    public required int Version { get; init; }
    /// <summary>The sending identity's address, with its display name when it has one.</summary>
    public required string From { get; init; }
    public required IReadOnlyList<string> To { get; init; }
    public IReadOnlyList<string> Cc { get; init; } = [];
    public string? Subject { get; init; }
    public required string Text { get; init; }
    public string? Rationale { get; init; }
    /// <summary>Confirmation pages that approve or reject by POST (signed, single-use); channels without buttons link to them.</summary>
    public required string ApproveUrl { get; init; }
    public required string RejectUrl { get; init; }
    /// <summary>Shown on the secondary channel after the primary did not act in time.</summary>
    public bool Escalated { get; init; }
}

/// <summary>How a draft was decided, for the card that closes: who, when, and what became of it.</summary>
public sealed record ApprovalOutcome(string State, string DecidedBy, DateTimeOffset DecidedAt, string? Reason = null);

/// <summary>Where a posted card lives on its channel (a Telegram chat and message id, a Slack channel and ts), as the channel wrote it.</summary>
public sealed record ChannelNotice(string Type, string Reference);

/// <summary>
/// One way of asking a person (email, Telegram, Slack). The draft use cases call it after their transaction commits;
/// a decision taken on the channel comes back through <see cref="IDraftReviews"/>.
/// </summary>
public interface IApprovalChannel
{
    string Type { get; }

    /// <summary>The <c>config</c> keys whose values are secrets: stored sealed, shown masked.</summary>
    IReadOnlySet<string> SecretKeys { get; }

    /// <summary>
    /// Checks new settings and does what they need once (Telegram: <c>getMe</c>, then <c>setWebhook</c> with a secret
    /// token); answers the settings to store, which may carry values the channel added. Bad settings raise a
    /// <c>ValidationException</c> naming <c>approval_channel.config.&lt;key&gt;</c>.
    /// </summary>
    Task<ApprovalChannelConfig> PrepareAsync(string orgId, ApprovalChannelConfig config, CancellationToken ct);

    /// <summary>Posts the card; the notice is kept with the draft so that the card can be closed later.</summary>
    Task<ChannelNotice> AnnounceAsync(ApprovalChannelConfig config, ApprovalCard card, CancellationToken ct);

    /// <summary>Shows the decision on the posted card and takes its buttons away (Telegram: edit; Slack: replace).</summary>
    Task CloseAsync(ApprovalChannelConfig config, ChannelNotice notice, ApprovalCard card, ApprovalOutcome outcome, CancellationToken ct);
}

/// <summary>
/// Decisions taken from a channel's own callbacks (a Telegram button, a Slack click, a ForceReply edit), with the
/// same rules as the API: only pending drafts, stale drafts refused, every other channel's card closed.
/// <paramref name="decidedBy"/> names the person as the channel knows them (<c>telegram:@ana</c>, <c>slack:U123</c>).
/// </summary>
public interface IDraftReviews
{
    Task<ApprovalOutcome> ApproveAsync(string orgId, string draftId, string decidedBy, CancellationToken ct);
    Task<ApprovalOutcome> RejectAsync(string orgId, string draftId, string decidedBy, string? reason, CancellationToken ct);
    /// <summary>A new version with new text, by the person; the card is announced again for the new version.</summary>
    Task EditTextAsync(string orgId, string draftId, string editedBy, string text, CancellationToken ct);
}

/// <summary>Where a person decides by link: the confirmation page a one-time token opens (built on <c>Mailroom:PublicUrl</c>).</summary>
public interface IApprovalPages
{
    string PageUrl(string token);
}

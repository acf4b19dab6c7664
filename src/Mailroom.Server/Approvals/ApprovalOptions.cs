namespace Mailroom.Server.Approvals;

/// <summary>The <c>Mailroom:Approvals</c> section (see docs/configuration.md).</summary>
public sealed class ApprovalOptions
{
    /// <summary>How long the Approve and Reject links of an approval card work.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How often the scheduler looks for drafts whose escalation is due.</summary>
    public TimeSpan EscalationPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the scheduler looks for drafts filed inside another transaction (an automation's Reply) that wait to be announced.</summary>
    public TimeSpan AnnouncePollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

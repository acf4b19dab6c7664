namespace Mailroom.Core.Inboxes;

/// <summary>
/// One address: at once the v0 inbox, the v1 sender identity and an agent's mailbox.
/// The identity and approval settings live here so that every dialect sees the same row.
/// </summary>
public sealed class Inbox
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Username { get; init; }
    public required string Domain { get; init; }
    public string? DisplayName { get; set; }
    public string? ClientId { get; init; }
    public string Status { get; set; } = InboxStatus.Active;
    public string? SignatureText { get; set; }
    public string? SignatureHtml { get; set; }
    public string? ReplyTo { get; set; }
    public int ThreadHistoryDepth { get; set; } = 10;
    public bool CanSendCold { get; set; } = true;
    public bool AutoApproveReplies { get; set; } = true;
    /// <summary>When false, sends from this inbox become drafts waiting for a person.</summary>
    public bool RequiresApproval { get; set; }
    public string? PrimaryChannelId { get; set; }
    public string? SecondaryChannelId { get; set; }
    public int? EscalationDelaySeconds { get; set; }
    /// <summary>For identities verified by a confirmation email: <c>unconfirmed</c>, <c>pending</c>, <c>confirmed</c>.</summary>
    public string? EmailConfirmationState { get; set; }
    public string? AgentId { get; set; }
    /// <summary>The caller's assistant record this identity is linked to (identities API), kept as given.</summary>
    public string? AssistantId { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string EmailAddress => $"{Username}@{Domain}";
}

public static class InboxStatus
{
    public const string Active = "active";
    public const string Suspended = "suspended";
    /// <summary>Turned off through the identities API: it receives but cannot send.</summary>
    public const string Disabled = "disabled";
}

public interface IInboxRepository
{
    Task CreateAsync(Inbox inbox, CancellationToken ct = default);
    Task<Inbox?> GetAsync(string orgId, string id, CancellationToken ct = default);
    Task<Inbox?> FindByClientIdAsync(string orgId, string clientId, CancellationToken ct = default);
    /// <summary>The inbox holding an address, in any organization (address match is case-insensitive).</summary>
    Task<Inbox?> FindByAddressAsync(string address, CancellationToken ct = default);
    /// <summary>Whether an inbox holds the address: the RCPT check, cheaper than reading the inbox.</summary>
    Task<bool> AddressExistsAsync(string address, CancellationToken ct = default);
    Task<Common.Page<Inbox>> ListAsync(string orgId, Common.PageRequest page, CancellationToken ct = default);
    Task UpdateAsync(Inbox inbox, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default);
    Task<long> CountAsync(string orgId, CancellationToken ct = default);
    Task<long> CountOnDomainAsync(string domain, CancellationToken ct = default);
    /// <summary>The organization's inboxes seen as identities, newest first, filtered by domain name and status when given.</summary>
    Task<Common.Page<Inbox>> ListFilteredAsync(string orgId, string? domain, string? status, Common.PageRequest page, CancellationToken ct = default);
}

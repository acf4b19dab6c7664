using Mailroom.Core.Common;

namespace Mailroom.Core.Agents;

/// <summary>
/// An agent identity, named by its handle in the organization, that owns at most one mailbox (an inbox) and one
/// phone number. A channel belongs to at most one agent: the database refuses a second link.
/// </summary>
public sealed class Agent
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Handle { get; set; }
    public string Status { get; set; } = AgentStatus.Active;
    public string? InboxId { get; set; }
    public string? PhoneNumberId { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class AgentStatus
{
    public const string Active = "active";
    /// <summary>Kept with its channels, but its phone number sends no SMS.</summary>
    public const string Paused = "paused";

    public static bool IsKnown(string status) => status is Active or Paused;
}

/// <summary>Which link a write would have duplicated.</summary>
public enum AgentClash { None, Handle, Inbox, PhoneNumber }

public interface IAgentRepository
{
    /// <summary>Inserts the agent; a taken handle is <see cref="AgentClash.Handle"/> (checked by the database).</summary>
    Task<AgentClash> CreateAsync(Agent agent, CancellationToken ct = default);
    Task<Agent?> GetByHandleAsync(string orgId, string handle, CancellationToken ct = default);
    Task<Agent?> FindByInboxAsync(string orgId, string inboxId, CancellationToken ct = default);
    Task<Agent?> FindByPhoneNumberAsync(string orgId, string phoneNumberId, CancellationToken ct = default);
    /// <summary>Newest first.</summary>
    Task<Page<Agent>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default);
    /// <summary>
    /// Writes handle, status and both links; the clash the database refused (a handle taken, a channel linked to
    /// another agent meanwhile) instead of the write. Run it last in a transaction: on PostgreSQL a refused write
    /// ends the transaction.
    /// </summary>
    Task<AgentClash> UpdateAsync(Agent agent, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default);
}

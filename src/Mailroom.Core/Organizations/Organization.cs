namespace Mailroom.Core.Organizations;

/// <summary>A customer workspace: everything else belongs to exactly one.</summary>
public sealed class Organization
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public int InboxLimit { get; set; }
    public int DomainLimit { get; set; }
    /// <summary>Sender identities (inboxes created through the identities API count too); null means the platform default.</summary>
    public int? IdentityLimit { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Usage figures reported beside the limits.</summary>
public sealed record OrganizationUsage(long InboxCount, long DomainCount);

public interface IOrganizationRepository
{
    Task CreateAsync(Organization organization, CancellationToken ct = default);
    Task<Organization?> GetAsync(string id, CancellationToken ct = default);
    Task<OrganizationUsage> GetUsageAsync(string id, CancellationToken ct = default);
}

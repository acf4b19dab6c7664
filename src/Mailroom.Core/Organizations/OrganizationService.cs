using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using Mailroom.Core.Platform;

namespace Mailroom.Core.Organizations;

/// <summary>Creates organizations with their first key, as the operator's admin command does.</summary>
public sealed class OrganizationService(
    IOrganizationRepository organizations, ApiKeyService apiKeys, ITransactionRunner transactions,
    PlatformSettings platform, TimeProvider time)
{
    public async Task<(Organization Organization, CreatedApiKey Key)> CreateAsync(string name, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ValidationException("name", "is required");
        if (name.Length > 200) throw new ValidationException("name", "must be at most 200 characters");
        var now = time.GetUtcNow();
        var organization = new Organization
        {
            Id = Ids.New(Ids.Organization, time), Name = name.Trim(),
            InboxLimit = platform.DefaultInboxLimit, DomainLimit = platform.DefaultDomainLimit,
            CreatedAt = now, UpdatedAt = now,
        };
        var key = await transactions.InTransactionAsync(async () =>
        {
            await organizations.CreateAsync(organization, ct);
            return await apiKeys.CreateAsync(organization.Id, "default", null, ct);
        }, ct);
        return (organization, key);
    }
}

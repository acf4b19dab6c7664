using Mailroom.Core.Organizations;

namespace Mailroom.Data.Repositories;

public sealed class OrganizationRepository(MailroomDatabase db) : IOrganizationRepository
{
    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public long InboxLimit { get; set; }
        public long DomainLimit { get; set; }
        public long? IdentityLimit { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    public Task CreateAsync(Organization o, CancellationToken ct = default) => db.ExecuteAsync(
        "INSERT INTO organizations (id, name, inbox_limit, domain_limit, created_at, updated_at) VALUES (@Id, @Name, @InboxLimit, @DomainLimit, @CreatedAt, @UpdatedAt)",
        new { o.Id, o.Name, o.InboxLimit, o.DomainLimit, CreatedAt = Time.Ms(o.CreatedAt), UpdatedAt = Time.Ms(o.UpdatedAt) }, ct);

    public async Task<Organization?> GetAsync(string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            "SELECT id, name, inbox_limit, domain_limit, identity_limit, created_at, updated_at FROM organizations WHERE id = @id", new { id }, ct);
        return row is null ? null : new Organization
        {
            Id = row.Id, Name = row.Name, InboxLimit = (int)row.InboxLimit, DomainLimit = (int)row.DomainLimit, IdentityLimit = (int?)row.IdentityLimit,
            CreatedAt = Time.At(row.CreatedAt), UpdatedAt = Time.At(row.UpdatedAt),
        };
    }

    public async Task<OrganizationUsage> GetUsageAsync(string id, CancellationToken ct = default)
    {
        var inboxes = await db.ScalarAsync<long>("SELECT COUNT(*) FROM inboxes WHERE org_id = @id", new { id }, ct);
        var domains = await db.ScalarAsync<long>("SELECT COUNT(*) FROM domains WHERE org_id = @id", new { id }, ct);
        return new OrganizationUsage(inboxes, domains);
    }
}

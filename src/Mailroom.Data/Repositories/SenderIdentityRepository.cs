using Mailroom.Core.Common;
using Mailroom.Core.Domains;
using Mailroom.Core.SenderIdentities;

namespace Mailroom.Data.Repositories;

public sealed class SenderIdentityRepository(MailroomDatabase db) : ISenderIdentityRepository
{
    private const string Columns = "id, org_id, domain_id, email, name, reply_to_email, reply_to_name, add_note, personal_note, verified_at, resends, " +
                                   "confirmation_group_id, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string DomainId { get; set; } = "";
        public string Email { get; set; } = "";
        public string Name { get; set; } = "";
        public string? ReplyToEmail { get; set; }
        public string? ReplyToName { get; set; }
        public bool AddNote { get; set; }
        public string? PersonalNote { get; set; }
        public long? VerifiedAt { get; set; }
        public int Resends { get; set; }
        public string? ConfirmationGroupId { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private sealed class DomainRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Status { get; set; } = "";
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static SenderIdentity Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, DomainId = r.DomainId, Email = r.Email, Name = r.Name, ReplyToEmail = r.ReplyToEmail, ReplyToName = r.ReplyToName,
        AddNote = r.AddNote, PersonalNote = r.PersonalNote, VerifiedAt = Time.At(r.VerifiedAt), Resends = r.Resends,
        ConfirmationGroupId = r.ConfirmationGroupId, CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static SenderDomain MapDomain(DomainRow r) =>
        new(r.Id, r.Name, r.Status == DomainStatus.Verified, Time.At(r.CreatedAt), Time.At(r.UpdatedAt));

    private static object Args(SenderIdentity i) => new
    {
        i.Id, i.OrgId, i.DomainId, i.Email, EmailKey = SenderIdentity.KeyOf(i.Email), i.Name, i.ReplyToEmail, i.ReplyToName, i.AddNote, i.PersonalNote,
        VerifiedAt = Time.Ms(i.VerifiedAt), i.Resends, i.ConfirmationGroupId, CreatedAt = Time.Ms(i.CreatedAt), UpdatedAt = Time.Ms(i.UpdatedAt),
    };

    public async Task<bool> CreateAsync(SenderIdentity identity, CancellationToken ct = default) => await db.ExecuteAsync(
        $"INSERT INTO sender_identities ({Columns}, email_key) VALUES (@Id, @OrgId, @DomainId, @Email, @Name, @ReplyToEmail, @ReplyToName, @AddNote, " +
        "@PersonalNote, @VerifiedAt, @Resends, @ConfirmationGroupId, @CreatedAt, @UpdatedAt, @EmailKey) ON CONFLICT (org_id, email_key) DO NOTHING",
        Args(identity), ct) == 1;

    public async Task<bool> CountResendAsync(string orgId, string id, int max, CancellationToken ct = default) => await db.ExecuteAsync(
        "UPDATE sender_identities SET resends = resends + 1 WHERE org_id = @orgId AND id = @id AND verified_at IS NULL AND resends < @max",
        new { orgId, id, max }, ct) == 1;

    public async Task<SenderIdentity?> GetAsync(string orgId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM sender_identities WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<SenderIdentity?> FindByEmailAsync(string orgId, string email, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM sender_identities WHERE org_id = @orgId AND email_key = @key",
            new { orgId, key = SenderIdentity.KeyOf(email) }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<SenderIdentity>> ListAsync(string orgId, SenderIdentityFilter filter, PageRequest page, CancellationToken ct = default)
    {
        var where = "org_id = @orgId";
        var args = new Dictionary<string, object?> { ["orgId"] = orgId };
        if (filter.DomainId is { } domainId)
        {
            where += " AND domain_id = @domainId";
            args["domainId"] = domainId;
        }
        if (!string.IsNullOrEmpty(filter.Query))
        {
            // Both engines: LOWER on both sides, and the pattern's own wildcards escaped.
            where += @" AND (email_key LIKE @pattern ESCAPE '\' OR LOWER(name) LIKE @pattern ESCAPE '\')";
            args["pattern"] = "%" + filter.Query.ToLowerInvariant().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
        }
        return db.PageAsync<Row, SenderIdentity>($"SELECT {Columns} FROM sender_identities WHERE {where} ORDER BY created_at, id",
            $"SELECT COUNT(*) FROM sender_identities WHERE {where}", args, page, Map, ct);
    }

    public Task UpdateAsync(SenderIdentity identity, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE sender_identities SET domain_id = @DomainId, email = @Email, email_key = @EmailKey, name = @Name, reply_to_email = @ReplyToEmail, " +
        "reply_to_name = @ReplyToName, add_note = @AddNote, personal_note = @PersonalNote, verified_at = @VerifiedAt, resends = @Resends, " +
        "confirmation_group_id = @ConfirmationGroupId, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(identity), ct);

    public async Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM sender_identities WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;

    public async Task<SenderDomain?> GetDomainAsync(string orgId, string domainId, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<DomainRow>(
            "SELECT id, name, status, created_at, updated_at FROM domains WHERE org_id = @orgId AND (id = @domainId OR name = @name)",
            new { orgId, domainId, name = domainId.ToLowerInvariant() }, ct);
        return row is null ? null : MapDomain(row);
    }

    public async Task<SenderDomain?> FindDomainByNameAsync(string orgId, string name, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<DomainRow>(
            "SELECT id, name, status, created_at, updated_at FROM domains WHERE org_id = @orgId AND name = @name", new { orgId, name }, ct);
        return row is null ? null : MapDomain(row);
    }
}

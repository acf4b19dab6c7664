using Mailroom.Core.Common;
using Mailroom.Core.Domains;

namespace Mailroom.Data.Repositories;

public sealed class DomainRepository(MailroomDatabase db) : IDomainRepository
{
    private const string Columns = "id, org_id, name, status, feedback_enabled, dkim_selector, dkim_public_key, dkim_private_key_sealed, " +
                                   "records_json, verified_at, last_checked_at, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Name { get; set; } = "";
        public string Status { get; set; } = "";
        public bool FeedbackEnabled { get; set; }
        public string DkimSelector { get; set; } = "";
        public string DkimPublicKey { get; set; } = "";
        public string DkimPrivateKeySealed { get; set; } = "";
        public string RecordsJson { get; set; } = "";
        public long? VerifiedAt { get; set; }
        public long? LastCheckedAt { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static Domain Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Name = r.Name, Status = r.Status, FeedbackEnabled = r.FeedbackEnabled,
        DkimSelector = r.DkimSelector, DkimPublicKey = r.DkimPublicKey, DkimPrivateKeySealed = r.DkimPrivateKeySealed,
        Records = StoredJson.Read<List<DomainRecord>>(r.RecordsJson, []), VerifiedAt = Time.At(r.VerifiedAt),
        LastCheckedAt = Time.At(r.LastCheckedAt), CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(Domain d) => new
    {
        d.Id, d.OrgId, d.Name, d.Status, d.FeedbackEnabled, d.DkimSelector, d.DkimPublicKey, d.DkimPrivateKeySealed,
        RecordsJson = StoredJson.Write(d.Records), VerifiedAt = Time.Ms(d.VerifiedAt), LastCheckedAt = Time.Ms(d.LastCheckedAt),
        CreatedAt = Time.Ms(d.CreatedAt), UpdatedAt = Time.Ms(d.UpdatedAt),
    };

    public Task CreateAsync(Domain domain, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO domains ({Columns}) VALUES (@Id, @OrgId, @Name, @Status, @FeedbackEnabled, @DkimSelector, @DkimPublicKey, " +
        "@DkimPrivateKeySealed, @RecordsJson, @VerifiedAt, @LastCheckedAt, @CreatedAt, @UpdatedAt)", Args(domain), ct);

    public async Task<Domain?> GetByNameAsync(string orgId, string name, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM domains WHERE org_id = @orgId AND name = @name", new { orgId, name }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<Domain?> GetByIdAsync(string orgId, string id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM domains WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<Domain?> FindByNameAsync(string name, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM domains WHERE name = @name", new { name }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<Domain>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, Domain>($"SELECT {Columns} FROM domains WHERE org_id = @orgId ORDER BY created_at DESC, name",
            "SELECT COUNT(*) FROM domains WHERE org_id = @orgId", new() { ["orgId"] = orgId }, page, Map, ct);

    public Task UpdateAsync(Domain domain, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE domains SET status = @Status, feedback_enabled = @FeedbackEnabled, records_json = @RecordsJson, verified_at = @VerifiedAt, " +
        "last_checked_at = @LastCheckedAt, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(domain), ct);

    public async Task<bool> DeleteAsync(string orgId, string name, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM domains WHERE org_id = @orgId AND name = @name", new { orgId, name }, ct) > 0;

    public Task<long> CountAsync(string orgId, CancellationToken ct = default) =>
        db.ScalarAsync<long>("SELECT COUNT(*) FROM domains WHERE org_id = @orgId", new { orgId }, ct);

    public async Task<IReadOnlyList<Domain>> ListDueForCheckAsync(DateTimeOffset checkedBefore, int limit, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>(
            $"SELECT {Columns} FROM domains WHERE last_checked_at IS NULL OR last_checked_at < @before ORDER BY COALESCE(last_checked_at, 0) LIMIT @limit",
            new { before = Time.Ms(checkedBefore), limit }, ct)).Select(Map).ToList();
}

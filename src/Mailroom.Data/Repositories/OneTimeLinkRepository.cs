using Mailroom.Core.Links;

namespace Mailroom.Data.Repositories;

public sealed class OneTimeLinkRepository(MailroomDatabase db) : IOneTimeLinkRepository
{
    private const string Columns = "id, org_id, purpose, subject_id, action, group_id, expires_at, used_at, created_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Purpose { get; set; } = "";
        public string SubjectId { get; set; } = "";
        public string Action { get; set; } = "";
        public string GroupId { get; set; } = "";
        public long ExpiresAt { get; set; }
        public long? UsedAt { get; set; }
        public long CreatedAt { get; set; }
    }

    public Task CreateAsync(OneTimeLink link, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO one_time_links ({Columns}) VALUES (@Id, @OrgId, @Purpose, @SubjectId, @Action, @GroupId, @ExpiresAt, NULL, @CreatedAt)",
        new { link.Id, link.OrgId, link.Purpose, link.SubjectId, link.Action, link.GroupId, ExpiresAt = Time.Ms(link.ExpiresAt), CreatedAt = Time.Ms(link.CreatedAt) }, ct);

    public async Task<OneTimeLink?> GetAsync(string id, CancellationToken ct = default)
    {
        var r = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM one_time_links WHERE id = @id", new { id }, ct);
        return r is null ? null : new OneTimeLink
        {
            Id = r.Id, OrgId = r.OrgId, Purpose = r.Purpose, SubjectId = r.SubjectId, Action = r.Action, GroupId = r.GroupId,
            ExpiresAt = Time.At(r.ExpiresAt), UsedAt = Time.At(r.UsedAt), CreatedAt = Time.At(r.CreatedAt),
        };
    }

    public async Task<bool> UseAsync(string id, string groupId, DateTimeOffset at, CancellationToken ct = default)
    {
        // The link itself first: of two concurrent uses only one updates it (the other waits for the row and then sees it used).
        if (await db.ExecuteAsync("UPDATE one_time_links SET used_at = @at WHERE id = @id AND used_at IS NULL", new { id, at = Time.Ms(at) }, ct) != 1)
            return false;
        await VoidGroupAsync(groupId, at, ct);
        return true;
    }

    public Task VoidGroupAsync(string groupId, DateTimeOffset at, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE one_time_links SET used_at = @at WHERE group_id = @groupId AND used_at IS NULL", new { groupId, at = Time.Ms(at) }, ct);
}

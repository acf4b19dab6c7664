using Mailroom.Core.Approvals;

namespace Mailroom.Data.Repositories;

public sealed class ChannelRepository(MailroomDatabase db) : IChannelRepository
{
    private sealed class Row
    {
        public string Type { get; set; } = "";
        public string ConfigSealed { get; set; } = "";
    }

    public Task CreateAsync(string id, string orgId, string type, string configSealed, DateTimeOffset at, CancellationToken ct = default) => db.ExecuteAsync(
        "INSERT INTO channels (id, org_id, type, name, config_sealed, created_at, updated_at) VALUES (@id, @orgId, @type, NULL, @configSealed, @at, @at)",
        new { id, orgId, type, configSealed, at = Time.Ms(at) }, ct);

    public async Task<(string Type, string ConfigSealed)?> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.QuerySingleOrDefaultAsync<Row>("SELECT type, config_sealed FROM channels WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct)
            is { } row ? (row.Type, row.ConfigSealed) : null;

    public Task DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        db.ExecuteAsync("DELETE FROM channels WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);
}

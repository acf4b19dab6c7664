using Mailroom.Core.Agents;
using Mailroom.Core.Common;

namespace Mailroom.Data.Repositories;

public sealed class AgentRepository(MailroomDatabase db) : IAgentRepository
{
    private const string Columns = "id, org_id, handle, status, inbox_id, phone_number_id, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Handle { get; set; } = "";
        public string Status { get; set; } = "";
        public string? InboxId { get; set; }
        public string? PhoneNumberId { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static Agent Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Handle = r.Handle, Status = r.Status, InboxId = r.InboxId, PhoneNumberId = r.PhoneNumberId,
        CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(Agent a) => new
    {
        a.Id, a.OrgId, a.Handle, a.Status, a.InboxId, a.PhoneNumberId, CreatedAt = Time.Ms(a.CreatedAt), UpdatedAt = Time.Ms(a.UpdatedAt),
    };

    public Task<AgentClash> CreateAsync(Agent agent, CancellationToken ct = default) => Refused(() => db.ExecuteAsync(
        $"INSERT INTO agents ({Columns}) VALUES (@Id, @OrgId, @Handle, @Status, @InboxId, @PhoneNumberId, @CreatedAt, @UpdatedAt)", Args(agent), ct));

    public Task<Agent?> GetByHandleAsync(string orgId, string handle, CancellationToken ct = default) =>
        One("org_id = @orgId AND handle = @handle", new { orgId, handle }, ct);

    public Task<Agent?> FindByInboxAsync(string orgId, string inboxId, CancellationToken ct = default) =>
        One("org_id = @orgId AND inbox_id = @inboxId", new { orgId, inboxId }, ct);

    public Task<Agent?> FindByPhoneNumberAsync(string orgId, string phoneNumberId, CancellationToken ct = default) =>
        One("org_id = @orgId AND phone_number_id = @phoneNumberId", new { orgId, phoneNumberId }, ct);

    public Task<Page<Agent>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, Agent>($"SELECT {Columns} FROM agents WHERE org_id = @orgId ORDER BY id DESC",
            "SELECT COUNT(*) FROM agents WHERE org_id = @orgId", new() { ["orgId"] = orgId }, page, Map, ct);

    public Task<AgentClash> UpdateAsync(Agent agent, CancellationToken ct = default) => Refused(() => db.ExecuteAsync(
        "UPDATE agents SET handle = @Handle, status = @Status, inbox_id = @InboxId, phone_number_id = @PhoneNumberId, updated_at = @UpdatedAt " +
        "WHERE org_id = @OrgId AND id = @Id", Args(agent), ct));

    public async Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM agents WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;

    /// <summary>Runs a write; a unique index that refused it is the clash it names.</summary>
    private static async Task<AgentClash> Refused(Func<Task<int>> write)
    {
        try
        {
            await write();
            return AgentClash.None;
        }
        catch (Exception e) when (UniqueViolation.On(e, "handle")) { return AgentClash.Handle; }
        catch (Exception e) when (UniqueViolation.On(e, "inbox_id")) { return AgentClash.Inbox; }
        catch (Exception e) when (UniqueViolation.On(e, "phone_number_id")) { return AgentClash.PhoneNumber; }
    }

    private async Task<Agent?> One(string where, object args, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM agents WHERE {where}", args, ct);
        return row is null ? null : Map(row);
    }
}

using Mailroom.Core.Identities;

namespace Mailroom.Data.Repositories;

public sealed class IdentityTaskRepository(MailroomDatabase db) : IIdentityTaskRepository
{
    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string? InboxId { get; set; }
        public string Kind { get; set; } = "";
        public string? MessageId { get; set; }
        public string? Failure { get; set; }
        public long CreatedAt { get; set; }
    }

    public Task CreateAsync(IdentityTask task, CancellationToken ct = default) => db.ExecuteAsync(
        "INSERT INTO identity_tasks (id, org_id, inbox_id, kind, message_id, failure, created_at) VALUES (@Id, @OrgId, @InboxId, @Kind, @MessageId, @Failure, @CreatedAt)",
        new { task.Id, task.OrgId, task.InboxId, task.Kind, task.MessageId, task.Failure, CreatedAt = Time.Ms(task.CreatedAt) }, ct);

    public async Task<IdentityTask?> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.QuerySingleOrDefaultAsync<Row>(
                "SELECT id, org_id, inbox_id, kind, message_id, failure, created_at FROM identity_tasks WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct)
            is { } r ? new IdentityTask(r.Id, r.OrgId, r.InboxId, r.Kind, r.MessageId, r.Failure, Time.At(r.CreatedAt)) : null;

    public Task CompleteAsync(string id, string? messageId, string? failure, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE identity_tasks SET message_id = @messageId, failure = @failure WHERE id = @id", new { id, messageId, failure }, ct);

    public async Task<IReadOnlyList<DateTimeOffset>> CreatedSinceAsync(string inboxId, DateTimeOffset since, CancellationToken ct = default) =>
        (await db.QueryAsync<long>("SELECT created_at FROM identity_tasks WHERE inbox_id = @inboxId AND created_at >= @since ORDER BY created_at",
            new { inboxId, since = Time.Ms(since) }, ct)).Select(Time.At).ToList();
}

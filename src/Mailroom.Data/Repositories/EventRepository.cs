using Mailroom.Core.Common;
using Mailroom.Core.Events;

namespace Mailroom.Data.Repositories;

public sealed class EventRepository(MailroomDatabase db) : IEventRepository
{
    private sealed class Row
    {
        public long Seq { get; set; }
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Type { get; set; } = "";
        public string? InboxId { get; set; }
        public string PayloadJson { get; set; } = "";
        public long CreatedAt { get; set; }
    }

    public TimeSpan CommitLag => db.Provider == DatabaseProvider.Postgres ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;

    public Task AppendAsync(MailEvent e, CancellationToken ct = default) => db.ExecuteAsync(
        "INSERT INTO events (id, org_id, type, inbox_id, payload_json, created_at) VALUES (@Id, @OrgId, @Type, @InboxId, @PayloadJson, @CreatedAt)",
        new { e.Id, e.OrgId, e.Type, e.InboxId, e.PayloadJson, CreatedAt = Time.Ms(e.CreatedAt) }, ct);

    public async Task<IReadOnlyList<MailEvent>> ListAfterAsync(string orgId, long afterSequence, DateTimeOffset createdBefore, int limit, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>(
            "SELECT seq, id, org_id, type, inbox_id, payload_json, created_at FROM events " +
            "WHERE org_id = @orgId AND seq > @afterSequence AND created_at <= @before ORDER BY seq LIMIT @limit",
            new { orgId, afterSequence, before = Time.Ms(createdBefore), limit }, ct))
        .Select(r => new MailEvent
        {
            Sequence = r.Seq, Id = r.Id, OrgId = r.OrgId, Type = r.Type, InboxId = r.InboxId, PayloadJson = r.PayloadJson, CreatedAt = Time.At(r.CreatedAt),
        }).ToList();

    public Task<long?> SequenceOfAsync(string orgId, string eventId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<long?>("SELECT seq FROM events WHERE org_id = @orgId AND id = @eventId", new { orgId, eventId }, ct);

    public Task<long> LatestSequenceAsync(CancellationToken ct = default) =>
        db.ScalarAsync<long>("SELECT COALESCE(MAX(seq), 0) FROM events", null, ct);
}

using Mailroom.Core.Common;
using Mailroom.Core.Events;

namespace Mailroom.Data.Repositories;

public sealed class EventRepository(MailroomDatabase db) : IEventRepository
{
    private sealed class Row
    {
        public long TxId { get; set; }
        public long Seq { get; set; }
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Type { get; set; } = "";
        public string? InboxId { get; set; }
        public string PayloadJson { get; set; } = "";
        public long CreatedAt { get; set; }
    }

    public Task AppendAsync(MailEvent e, CancellationToken ct = default) => db.ExecuteAsync(
        "INSERT INTO events (id, org_id, type, inbox_id, payload_json, created_at) VALUES (@Id, @OrgId, @Type, @InboxId, @PayloadJson, @CreatedAt)",
        new { e.Id, e.OrgId, e.Type, e.InboxId, e.PayloadJson, CreatedAt = Time.Ms(e.CreatedAt) }, ct);

    private const string EventColumns = "tx_id, seq, id, org_id, type, inbox_id, payload_json, created_at";

    /// <summary>On PostgreSQL, the transactions below the oldest one still running have all ended; SQLite has none running while we read.</summary>
    private string EndedTransactions => db.Provider == DatabaseProvider.Postgres
        ? " AND tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
        : "";

    public async Task<IReadOnlyList<MailEvent>> ListAfterAsync(string orgId, EventPosition after, int limit, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>(
            // The rest of the reader's transaction, then the transactions after it: each half starts where it should on
            // ix_events_org_position. SQLite turns the row value "(tx_id, seq) > (@tx, @seq)" into "tx_id >= @tx" and
            // filters the rest, so with every tx_id 0 a resume read the organization's whole stream.
            $"SELECT * FROM (SELECT {EventColumns} FROM events WHERE org_id = @orgId AND tx_id = @tx AND seq > @seq{EndedTransactions} ORDER BY seq LIMIT @limit) same " +
            $"UNION ALL SELECT * FROM (SELECT {EventColumns} FROM events WHERE org_id = @orgId AND tx_id > @tx{EndedTransactions} ORDER BY tx_id, seq LIMIT @limit) later " +
            "ORDER BY tx_id, seq LIMIT @limit",
            new { orgId, tx = after.Transaction, seq = after.Sequence, limit }, ct))
        .Select(r => new MailEvent
        {
            Position = new EventPosition(r.TxId, r.Seq), Id = r.Id, OrgId = r.OrgId, Type = r.Type, InboxId = r.InboxId,
            PayloadJson = r.PayloadJson, CreatedAt = Time.At(r.CreatedAt),
        }).ToList();

    public async Task<EventPosition?> PositionOfAsync(string orgId, string eventId, CancellationToken ct = default) =>
        (await db.QueryAsync<(long TxId, long Seq)>("SELECT tx_id, seq FROM events WHERE org_id = @orgId AND id = @eventId", new { orgId, eventId }, ct))
        .Select(p => (EventPosition?)new EventPosition(p.TxId, p.Seq)).FirstOrDefault();

    public async Task<EventPosition> CurrentPositionAsync(CancellationToken ct = default) => db.Provider == DatabaseProvider.Postgres
        ? new EventPosition(await db.ScalarAsync<long>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", null, ct), 0)
        : new EventPosition(0, await db.ScalarAsync<long>("SELECT COALESCE(MAX(seq), 0) FROM events", null, ct));
}

using Mailroom.Core.Common;
using Mailroom.Core.Delivery;

namespace Mailroom.Data.Repositories;

public sealed class InboundSpoolRepository(MailroomDatabase db) : IInboundSpoolRepository
{
    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string EnvelopeJson { get; set; } = "";
        public string BlobKey { get; set; } = "";
        public long Attempts { get; set; }
    }

    public Task EnqueueAsync(string id, InboundEnvelope envelope, string blobKey, CancellationToken ct = default) => db.ExecuteAsync(
        "INSERT INTO inbound_spool (id, envelope_json, blob_key, state, attempts, received_at) VALUES (@id, @envelope, @blobKey, @state, 0, @at)",
        new { id, envelope = StoredJson.Write(envelope), blobKey, state = SpoolState.Pending, at = Time.Ms(envelope.ReceivedAt) }, ct);

    public async Task<IReadOnlyList<SpooledMessage>> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default)
    {
        var ids = await db.ClaimIdsAsync("inbound_spool", "state = @pending", "received_at",
            new() { ["pending"] = SpoolState.Pending }, owner, now, leaseUntil, limit, ct);
        var claimed = new List<SpooledMessage>();
        foreach (var id in ids)
        {
            var row = await db.QuerySingleOrDefaultAsync<Row>("SELECT id, envelope_json, blob_key, attempts FROM inbound_spool WHERE id = @id", new { id }, ct);
            if (row is not null)
                claimed.Add(new SpooledMessage(row.Id, StoredJson.Read<InboundEnvelope>(row.EnvelopeJson, null!), row.BlobKey, (int)row.Attempts));
        }
        return claimed;
    }

    public async Task CompleteAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        foreach (var (list, args) in InList.Chunks(ids, new() { ["done"] = SpoolState.Done }))
            await db.ExecuteAsync($"UPDATE inbound_spool SET state = @done, lease_owner = NULL, lease_until = NULL WHERE id IN ({list})", args, ct);
    }

    public Task FailAsync(string id, string error, DateTimeOffset? retryAt, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE inbound_spool SET state = @state, attempts = attempts + 1, last_error = @error, lease_owner = NULL, lease_until = @retry WHERE id = @id",
        new { id, error, state = retryAt is null ? SpoolState.Failed : SpoolState.Pending, retry = Time.Ms(retryAt) }, ct);
}

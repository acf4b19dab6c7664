using Mailroom.Core.Common;
using Mailroom.Core.Delivery;

namespace Mailroom.Data.Repositories;

public sealed class OutboundDeliveryRepository(MailroomDatabase db) : IOutboundDeliveryRepository
{
    private const string Columns = "id, org_id, message_id, mail_from, recipients_json, status, attempts, next_attempt_at, expires_at, last_reply, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string MessageId { get; set; } = "";
        public string MailFrom { get; set; } = "";
        public string RecipientsJson { get; set; } = "";
        public string Status { get; set; } = "";
        public long Attempts { get; set; }
        public long NextAttemptAt { get; set; }
        public long ExpiresAt { get; set; }
        public string? LastReply { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static OutboundDelivery Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, MessageId = r.MessageId, MailFrom = r.MailFrom, Recipients = StoredJson.Read<List<string>>(r.RecipientsJson, []),
        Status = r.Status, Attempts = (int)r.Attempts, NextAttemptAt = Time.At(r.NextAttemptAt), ExpiresAt = Time.At(r.ExpiresAt),
        LastReply = r.LastReply, CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(OutboundDelivery d) => new
    {
        d.Id, d.OrgId, d.MessageId, d.MailFrom, RecipientsJson = StoredJson.Write(d.Recipients), d.Status, d.Attempts,
        NextAttemptAt = Time.Ms(d.NextAttemptAt), ExpiresAt = Time.Ms(d.ExpiresAt), d.LastReply, CreatedAt = Time.Ms(d.CreatedAt), UpdatedAt = Time.Ms(d.UpdatedAt),
    };

    public Task EnqueueAsync(OutboundDelivery delivery, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO outbound_deliveries ({Columns}) VALUES (@Id, @OrgId, @MessageId, @MailFrom, @RecipientsJson, @Status, @Attempts, " +
        "@NextAttemptAt, @ExpiresAt, @LastReply, @CreatedAt, @UpdatedAt)", Args(delivery), ct);

    public async Task<IReadOnlyList<OutboundDelivery>> ClaimDueAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default)
    {
        var ids = await db.ClaimIdsAsync("outbound_deliveries", "status = @queued AND next_attempt_at <= @now", "next_attempt_at",
            new() { ["queued"] = OutboundStatus.Queued }, owner, now, leaseUntil, limit, ct);
        var claimed = new List<OutboundDelivery>();
        foreach (var id in ids)
            if (await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM outbound_deliveries WHERE id = @id", new { id }, ct) is { } row)
                claimed.Add(Map(row));
        return claimed;
    }

    public Task RecordAsync(OutboundDelivery d, IReadOnlyList<DeliveryAttempt> attempts, bool keepLease = false, CancellationToken ct = default) =>
        db.InTransactionAsync(async () =>
    {
        foreach (var a in attempts)
            await db.ExecuteAsync(
                "INSERT INTO delivery_attempts (id, delivery_id, attempted_at, host, reply_code, reply_text, outcome) " +
                "VALUES (@Id, @DeliveryId, @At, @Host, @ReplyCode, @ReplyText, @Outcome)",
                new { a.Id, a.DeliveryId, At = Time.Ms(a.AttemptedAt), a.Host, a.ReplyCode, a.ReplyText, a.Outcome }, ct);
        await db.ExecuteAsync(
            "UPDATE outbound_deliveries SET recipients_json = @RecipientsJson, status = @Status, attempts = @Attempts, next_attempt_at = @NextAttemptAt, " +
            "last_reply = @LastReply, updated_at = @UpdatedAt" + (keepLease ? "" : ", lease_owner = NULL, lease_until = NULL") + " WHERE id = @Id", Args(d), ct);
        return true;
    }, ct);
}

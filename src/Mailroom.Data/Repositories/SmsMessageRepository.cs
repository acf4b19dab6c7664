using Mailroom.Core.Common;
using Mailroom.Core.Sms;

namespace Mailroom.Data.Repositories;

public sealed class SmsMessageRepository(MailroomDatabase db) : ISmsMessageRepository
{
    private const string Columns = "id, org_id, phone_number_id, direction, local_number, remote_number, text, status, carrier_sid, error, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string PhoneNumberId { get; set; } = "";
        public string Direction { get; set; } = "";
        public string LocalNumber { get; set; } = "";
        public string RemoteNumber { get; set; } = "";
        public string Text { get; set; } = "";
        public string Status { get; set; } = "";
        public string? CarrierSid { get; set; }
        public string? Error { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static SmsMessage Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, PhoneNumberId = r.PhoneNumberId, Direction = r.Direction, LocalNumber = r.LocalNumber, RemoteNumber = r.RemoteNumber,
        Text = r.Text, Status = r.Status, CarrierSid = r.CarrierSid, Error = r.Error, CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(SmsMessage m) => new
    {
        m.Id, m.OrgId, m.PhoneNumberId, m.Direction, m.LocalNumber, m.RemoteNumber, m.Text, m.Status, m.CarrierSid, m.Error,
        CreatedAt = Time.Ms(m.CreatedAt), UpdatedAt = Time.Ms(m.UpdatedAt),
    };

    public async Task<bool> CreateAsync(SmsMessage message, CancellationToken ct = default) =>
        await db.ExecuteAsync($"INSERT INTO sms_messages ({Columns}) VALUES (@Id, @OrgId, @PhoneNumberId, @Direction, @LocalNumber, @RemoteNumber, " +
                              "@Text, @Status, @CarrierSid, @Error, @CreatedAt, @UpdatedAt) ON CONFLICT (carrier_sid) DO NOTHING", Args(message), ct) == 1;

    public Task<SmsMessage?> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        One("org_id = @orgId AND id = @id", new { orgId, id }, ct);

    public Task<SmsMessage?> FindAsync(string id, CancellationToken ct = default) => One("id = @id", new { id }, ct);

    public Task<Page<SmsMessage>> ListAsync(string orgId, string phoneNumberId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, SmsMessage>(
            $"SELECT {Columns} FROM sms_messages WHERE phone_number_id = @phoneNumberId AND org_id = @orgId ORDER BY remote_number, id",
            "SELECT COUNT(*) FROM sms_messages WHERE phone_number_id = @phoneNumberId AND org_id = @orgId",
            new() { ["orgId"] = orgId, ["phoneNumberId"] = phoneNumberId }, page, Map, ct);

    public Task UpdateAsync(SmsMessage message, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE sms_messages SET status = @Status, carrier_sid = @CarrierSid, error = @Error, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id",
        Args(message), ct);

    public Task DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        db.ExecuteAsync("DELETE FROM sms_messages WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);

    private async Task<SmsMessage?> One(string where, object args, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM sms_messages WHERE {where}", args, ct);
        return row is null ? null : Map(row);
    }
}

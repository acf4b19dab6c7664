using Mailroom.Core.Common;
using Mailroom.Core.Sms;

namespace Mailroom.Data.Repositories;

public sealed class PhoneNumberRepository(MailroomDatabase db) : IPhoneNumberRepository
{
    private const string Columns = "id, org_id, e164, number_type, status, carrier, carrier_sid, incoming_call_action, client_websocket_url, " +
                                   "incoming_call_webhook_url, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string E164 { get; set; } = "";
        public string NumberType { get; set; } = "";
        public string Status { get; set; } = "";
        public string Carrier { get; set; } = "";
        public string? CarrierSid { get; set; }
        public string IncomingCallAction { get; set; } = "";
        public string? ClientWebsocketUrl { get; set; }
        public string? IncomingCallWebhookUrl { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static PhoneNumber Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Number = r.E164, Type = r.NumberType, Status = r.Status, Carrier = r.Carrier, CarrierSid = r.CarrierSid,
        IncomingCallAction = r.IncomingCallAction, ClientWebsocketUrl = r.ClientWebsocketUrl, IncomingCallWebhookUrl = r.IncomingCallWebhookUrl,
        CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(PhoneNumber n) => new
    {
        n.Id, n.OrgId, E164 = n.Number, NumberType = n.Type, n.Status, n.Carrier, n.CarrierSid, n.IncomingCallAction, n.ClientWebsocketUrl,
        n.IncomingCallWebhookUrl, CreatedAt = Time.Ms(n.CreatedAt), UpdatedAt = Time.Ms(n.UpdatedAt),
    };

    public async Task<bool> CreateAsync(PhoneNumber number, CancellationToken ct = default) =>
        await db.ExecuteAsync($"INSERT INTO phone_numbers ({Columns}) VALUES (@Id, @OrgId, @E164, @NumberType, @Status, @Carrier, @CarrierSid, " +
                              "@IncomingCallAction, @ClientWebsocketUrl, @IncomingCallWebhookUrl, @CreatedAt, @UpdatedAt) ON CONFLICT (e164) DO NOTHING",
            Args(number), ct) == 1;

    public Task<PhoneNumber?> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        One("org_id = @orgId AND id = @id", new { orgId, id }, ct);

    public Task<PhoneNumber?> FindByNumberAsync(string e164, CancellationToken ct = default) => One("e164 = @e164", new { e164 }, ct);

    public Task<Page<PhoneNumber>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, PhoneNumber>($"SELECT {Columns} FROM phone_numbers WHERE org_id = @orgId ORDER BY id DESC",
            "SELECT COUNT(*) FROM phone_numbers WHERE org_id = @orgId", new() { ["orgId"] = orgId }, page, Map, ct);

    public Task<long> CountAsync(string orgId, CancellationToken ct = default) =>
        db.ScalarAsync<long>("SELECT COUNT(*) FROM phone_numbers WHERE org_id = @orgId", new { orgId }, ct);

    public Task UpdateAsync(PhoneNumber number, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE phone_numbers SET status = @Status, incoming_call_action = @IncomingCallAction, client_websocket_url = @ClientWebsocketUrl, " +
        "incoming_call_webhook_url = @IncomingCallWebhookUrl, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(number), ct);

    public async Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM phone_numbers WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;

    private async Task<PhoneNumber?> One(string where, object args, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM phone_numbers WHERE {where}", args, ct);
        return row is null ? null : Map(row);
    }
}

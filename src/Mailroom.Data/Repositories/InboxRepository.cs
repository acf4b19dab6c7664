using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;

namespace Mailroom.Data.Repositories;

public sealed class InboxRepository(MailroomDatabase db) : IInboxRepository
{
    private const string Columns = "id, org_id, username, domain, address_key, display_name, client_id, status, signature_text, signature_html, " +
                                   "reply_to, thread_history_depth, can_send_cold, auto_approve_replies, requires_approval, primary_channel_id, " +
                                   "secondary_channel_id, escalation_delay_seconds, email_confirmation_state, agent_id, assistant_id, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Username { get; set; } = "";
        public string Domain { get; set; } = "";
        public string? DisplayName { get; set; }
        public string? ClientId { get; set; }
        public string Status { get; set; } = "";
        public string? SignatureText { get; set; }
        public string? SignatureHtml { get; set; }
        public string? ReplyTo { get; set; }
        public long ThreadHistoryDepth { get; set; }
        public bool CanSendCold { get; set; }
        public bool AutoApproveReplies { get; set; }
        public bool RequiresApproval { get; set; }
        public string? PrimaryChannelId { get; set; }
        public string? SecondaryChannelId { get; set; }
        public long? EscalationDelaySeconds { get; set; }
        public string? EmailConfirmationState { get; set; }
        public string? AgentId { get; set; }
        public string? AssistantId { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static Inbox Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Username = r.Username, Domain = r.Domain, DisplayName = r.DisplayName, ClientId = r.ClientId,
        Status = r.Status, SignatureText = r.SignatureText, SignatureHtml = r.SignatureHtml, ReplyTo = r.ReplyTo,
        ThreadHistoryDepth = (int)r.ThreadHistoryDepth, CanSendCold = r.CanSendCold, AutoApproveReplies = r.AutoApproveReplies,
        RequiresApproval = r.RequiresApproval, PrimaryChannelId = r.PrimaryChannelId, SecondaryChannelId = r.SecondaryChannelId,
        EscalationDelaySeconds = (int?)r.EscalationDelaySeconds, EmailConfirmationState = r.EmailConfirmationState, AgentId = r.AgentId, AssistantId = r.AssistantId,
        CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(Inbox i) => new
    {
        i.Id, i.OrgId, i.Username, i.Domain, AddressKey = i.EmailAddress.ToLowerInvariant(), i.DisplayName, i.ClientId, i.Status,
        i.SignatureText, i.SignatureHtml, i.ReplyTo, i.ThreadHistoryDepth, i.CanSendCold, i.AutoApproveReplies, i.RequiresApproval,
        i.PrimaryChannelId, i.SecondaryChannelId, i.EscalationDelaySeconds, i.EmailConfirmationState, i.AgentId, i.AssistantId,
        CreatedAt = Time.Ms(i.CreatedAt), UpdatedAt = Time.Ms(i.UpdatedAt),
    };

    public Task CreateAsync(Inbox inbox, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO inboxes ({Columns}) VALUES (@Id, @OrgId, @Username, @Domain, @AddressKey, @DisplayName, @ClientId, @Status, " +
        "@SignatureText, @SignatureHtml, @ReplyTo, @ThreadHistoryDepth, @CanSendCold, @AutoApproveReplies, @RequiresApproval, " +
        "@PrimaryChannelId, @SecondaryChannelId, @EscalationDelaySeconds, @EmailConfirmationState, @AgentId, @AssistantId, @CreatedAt, @UpdatedAt)",
        Args(inbox), ct);

    public Task<Inbox?> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        One("org_id = @orgId AND id = @id", new { orgId, id }, ct);

    public Task<Inbox?> FindByClientIdAsync(string orgId, string clientId, CancellationToken ct = default) =>
        One("org_id = @orgId AND client_id = @clientId", new { orgId, clientId }, ct);

    public Task<Inbox?> FindByAddressAsync(string address, CancellationToken ct = default) =>
        One("address_key = @key", new { key = address.ToLowerInvariant() }, ct);

    public async Task<bool> AddressExistsAsync(string address, CancellationToken ct = default) =>
        await db.ScalarAsync<long>("SELECT COUNT(*) FROM inboxes WHERE address_key = @key", new { key = address.ToLowerInvariant() }, ct) > 0;

    public Task<Page<Inbox>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, Inbox>($"SELECT {Columns} FROM inboxes WHERE org_id = @orgId ORDER BY id DESC",
            "SELECT COUNT(*) FROM inboxes WHERE org_id = @orgId", new() { ["orgId"] = orgId }, page, Map, ct);

    public Task<Page<Inbox>> ListFilteredAsync(string orgId, string? domain, string? status, PageRequest page, CancellationToken ct = default)
    {
        var where = "org_id = @orgId" + (domain is null ? "" : " AND domain = @domain") + (status is null ? "" : " AND status = @status");
        return db.PageAsync<Row, Inbox>($"SELECT {Columns} FROM inboxes WHERE {where} ORDER BY id DESC", $"SELECT COUNT(*) FROM inboxes WHERE {where}",
            new() { ["orgId"] = orgId, ["domain"] = domain, ["status"] = status }, page, Map, ct);
    }

    public Task UpdateAsync(Inbox inbox, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE inboxes SET display_name = @DisplayName, status = @Status, signature_text = @SignatureText, signature_html = @SignatureHtml, " +
        "reply_to = @ReplyTo, thread_history_depth = @ThreadHistoryDepth, can_send_cold = @CanSendCold, auto_approve_replies = @AutoApproveReplies, " +
        "requires_approval = @RequiresApproval, primary_channel_id = @PrimaryChannelId, secondary_channel_id = @SecondaryChannelId, " +
        "escalation_delay_seconds = @EscalationDelaySeconds, email_confirmation_state = @EmailConfirmationState, agent_id = @AgentId, assistant_id = @AssistantId, " +
        "updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(inbox), ct);

    public async Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM inboxes WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;

    public Task<long> CountAsync(string orgId, CancellationToken ct = default) =>
        db.ScalarAsync<long>("SELECT COUNT(*) FROM inboxes WHERE org_id = @orgId", new { orgId }, ct);

    public Task<long> CountOnDomainAsync(string domain, CancellationToken ct = default) =>
        db.ScalarAsync<long>("SELECT COUNT(*) FROM inboxes WHERE domain = @domain", new { domain }, ct);

    private async Task<Inbox?> One(string where, object args, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM inboxes WHERE {where}", args, ct);
        return row is null ? null : Map(row);
    }
}

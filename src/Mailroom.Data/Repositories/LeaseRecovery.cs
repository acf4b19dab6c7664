namespace Mailroom.Data.Repositories;

/// <summary>
/// Work queues lease rows to a node by its id. A node that starts again after dying takes back what its previous
/// process held, instead of waiting for those leases to run out.
/// </summary>
public sealed class LeaseRecovery(MailroomDatabase db)
{
    private static readonly string[] Queues = ["inbound_spool", "outbound_deliveries", "webhook_deliveries"];

    public async Task<int> ReleaseAsync(string owner, CancellationToken ct = default)
    {
        var released = 0;
        foreach (var table in Queues)
            released += await db.ExecuteAsync($"UPDATE {table} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner", new { owner }, ct);
        return released;
    }
}

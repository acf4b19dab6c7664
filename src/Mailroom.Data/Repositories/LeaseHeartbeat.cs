using System.Collections.Concurrent;

namespace Mailroom.Data.Repositories;

/// <summary>The work queues whose rows are leased: each is its table.</summary>
public static class WorkQueues
{
    public const string InboundSpool = "inbound_spool";
    public const string OutboundDeliveries = "outbound_deliveries";
    public const string WebhookDeliveries = "webhook_deliveries";
    public const string AutomationJobs = "automation_jobs";

    public static readonly IReadOnlyList<string> All = [InboundSpool, OutboundDeliveries, WebhookDeliveries, AutomationJobs];
}

/// <summary>
/// The rows this process is working on right now, by queue. Leases are short and the heartbeat renews exactly these,
/// so a row whose work ended (or failed unexpectedly and was left leased) is not kept from other nodes by a live
/// process, and the rows of a dead process are free once their short lease runs out.
/// </summary>
public sealed class WorkInHand
{
    private readonly ConcurrentDictionary<(string Queue, string Id), byte> _held = new();

    /// <summary>Holds the rows until the returned handle is disposed.</summary>
    public IDisposable Hold(string queue, IEnumerable<string> ids)
    {
        var keys = ids.Select(id => (queue, id)).ToList();
        foreach (var key in keys) _held[key] = 0;
        return new Release(this, keys);
    }

    public IReadOnlyList<(string Queue, IReadOnlyList<string> Ids)> Snapshot() =>
        _held.Keys.GroupBy(k => k.Queue).Select(g => (g.Key, (IReadOnlyList<string>)g.Select(k => k.Id).ToList())).ToList();

    private sealed class Release(WorkInHand owner, List<(string, string)> keys) : IDisposable
    {
        public void Dispose()
        {
            foreach (var key in keys) owner._held.TryRemove(key, out _);
        }
    }
}

/// <summary>Extends the leases this process still holds on the rows it is working on.</summary>
public sealed class LeaseRenewal(MailroomDatabase db)
{
    /// <returns>How many leases were extended (fewer than asked when a row was finished or taken over meanwhile).</returns>
    public async Task<int> RenewAsync(string queue, IReadOnlyList<string> ids, string owner, DateTimeOffset until, CancellationToken ct = default)
    {
        if (!WorkQueues.All.Contains(queue)) throw new ArgumentException($"{queue} is not a work queue", nameof(queue));
        var renewed = 0;
        foreach (var (list, args) in InList.Chunks(ids, new() { ["owner"] = owner, ["until"] = Time.Ms(until) }))
            renewed += await db.ExecuteAsync(db.Provider == DatabaseProvider.Postgres
                // Rows a worker's transaction holds are skipped, not waited for: the worker locks its batch in its own
                // order, and waiting made the two deadlock. A locked row is being worked on (no other node can claim
                // it meanwhile); the next beat renews it if it is still held.
                ? $"UPDATE {queue} SET lease_until = @until WHERE id IN (SELECT id FROM {queue} WHERE lease_owner = @owner AND id IN ({list}) FOR UPDATE SKIP LOCKED)"
                : $"UPDATE {queue} SET lease_until = @until WHERE lease_owner = @owner AND id IN ({list})", args, ct);
        return renewed;
    }
}

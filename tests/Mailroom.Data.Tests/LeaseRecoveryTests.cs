using Dapper;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

public sealed class LeaseRecoveryTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_restarted_node_frees_only_what_its_own_earlier_processes_held(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var earlier = LeaseOwner.ForProcess("node-a");
        var restarted = LeaseOwner.ForProcess("node-a");
        string?[] owners =
        [
            earlier.Name, // the same node's previous process
            "node-a", // what versions before per-process owners leased under
            restarted.Name, // the restarted process itself
            LeaseOwner.ForProcess("node-b").Name,
            LeaseOwner.ForProcess("node-a/x").Name, // a node whose name starts with node-a's prefix
            "node-a/" + new string('0', LeaseOwner.ProcessPartLength + 1),
        ];
        await using var connection = await fixture.Db.OpenAsync();
        for (var i = 0; i < owners.Length; i++)
            await connection.ExecuteAsync(
                "INSERT INTO inbound_spool (id, envelope_json, blob_key, state, attempts, lease_owner, lease_until, received_at) " +
                "VALUES (@id, '{}', 'k', 'pending', 0, @owner, 1, 1)", new { id = $"spl_{i}", owner = owners[i] });

        Assert.Equal(2, await new LeaseRecovery(fixture.Db).ReleaseEarlierProcessesAsync(restarted));

        var left = (await connection.QueryAsync<(string Id, string? Owner)>("SELECT id, lease_owner FROM inbound_spool ORDER BY id")).ToList();
        Assert.Equal([null, null, .. owners[2..]], left.Select(row => row.Owner));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Renewal_passes_over_a_row_a_workers_transaction_holds_and_renews_it_on_the_next_beat(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var owner = LeaseOwner.ForProcess("node-a").Name;
        await using (var connection = await fixture.Db.OpenAsync())
            foreach (var id in new[] { "spl_held", "spl_free" })
                await connection.ExecuteAsync(
                    "INSERT INTO inbound_spool (id, envelope_json, blob_key, state, attempts, lease_owner, lease_until, received_at) " +
                    "VALUES (@id, '{}', 'k', 'pending', 0, @owner, 1, 1)", new { id, owner });
        var renewal = new LeaseRenewal(fixture.Db);
        var until = DateTimeOffset.FromUnixTimeMilliseconds(5_000);

        if (provider == "postgres")
        {
            // A worker's transaction has written the row and not committed: the renewal neither waits for it (the two
            // used to deadlock, each holding a row the other wanted) nor touches it.
            await using var worker = await fixture.Db.OpenAsync();
            await using var transaction = await worker.BeginTransactionAsync();
            await worker.ExecuteAsync("UPDATE inbound_spool SET attempts = 1 WHERE id = 'spl_held'", transaction: transaction);
            var renewing = renewal.RenewAsync(WorkQueues.InboundSpool, ["spl_held", "spl_free"], owner, until);
            Assert.Same(renewing, await Task.WhenAny(renewing, Task.Delay(TimeSpan.FromSeconds(10))));
            Assert.Equal(1, await renewing);
            await transaction.CommitAsync();
        }

        Assert.Equal(2, await renewal.RenewAsync(WorkQueues.InboundSpool, ["spl_held", "spl_free"], owner, until.AddSeconds(1)));
        Assert.Equal([6_000L, 6_000L], await fixture.Db.QueryAsync<long>("SELECT lease_until FROM inbound_spool ORDER BY id", null));
    }

    [Fact]
    public void Two_processes_of_one_node_never_share_a_lease_owner()
    {
        var first = LeaseOwner.ForProcess("node-a");
        var second = LeaseOwner.ForProcess("node-a");
        Assert.Equal(first.Node, second.Node);
        Assert.NotEqual(first.Name, second.Name);
    }
}

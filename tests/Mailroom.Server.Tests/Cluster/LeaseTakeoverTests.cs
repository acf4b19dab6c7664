using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Dapper;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Cluster;

/// <summary>
/// PostgreSQL only: two nodes on one database with two-second leases. Work that runs longer than a lease stays with the
/// node doing it (the heartbeat renews it), and the work of a node killed with SIGKILL is finished by the other within
/// a lease and a poll.
/// </summary>
public sealed class LeaseTakeoverTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private const string ShortLeases = "--Mailroom:Leases:Duration=00:00:02";

    [Fact]
    public async Task A_delivery_slower_than_its_lease_is_renewed_and_sent_once()
    {
        if (!TestDatabase.PostgresAvailable) return;
        using var slowPeer = await SmtpSink.StartAsync(dataDelaySeconds: 3 * Lease.TotalSeconds);
        await using var first = await MailroomTestServer.StartAsync("postgres", [.. MailroomTestServer.RelayTo(slowPeer.Port), ShortLeases]);
        await using var second = await MailroomTestServer.StartAsync("postgres", IdempotentSendRaceTests.SameDatabaseAs(first, [.. MailroomTestServer.RelayTo(slowPeer.Port), ShortLeases]));
        var api = await first.NewOrganizationAsync();
        var inbox = (string)(await api.CreateInboxAsync("slow-" + Guid.NewGuid().ToString("N")[..8]))["inbox_id"]!;

        Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{inbox}/messages/send", new { to = "rita@remote.example", subject = "slow", text = "once" })).Status);

        Assert.Single(await slowPeer.WaitForAsync(1, TimeSpan.FromSeconds(30)));
        // Long enough for a lapsed lease to have been claimed again and its second copy to have arrived.
        await Task.Delay(4 * Lease);
        Assert.Single(Directory.GetFiles(slowPeer.Folder, "*.eml"));
        await using var connection = await first.Services.GetRequiredService<Data.MailroomDatabase>().OpenAsync();
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM delivery_attempts"));
    }

    [Fact]
    public async Task The_delivery_a_killed_node_held_is_finished_by_the_other_within_a_lease()
    {
        if (!TestDatabase.PostgresAvailable) return;
        using var sink = await SmtpSink.StartAsync();
        // The first node's relay accepts the connection and never speaks: its delivery hangs there until it dies.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        var held = new ConcurrentQueue<Socket>();
        using var stop = new CancellationTokenSource();
        var holding = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) held.Enqueue(await silent.AcceptSocketAsync(stop.Token));
        });
        await using var database = await TestDatabase.CreateAsync("postgres");
        var shared = database.HostArguments().Concat([ShortLeases]).ToList();
        var output = new StringWriter();
        Assert.Equal(0, await Cli.MailroomCommandLine.RunAsync(["admin", "create-org", "--name", "Takeover", .. shared], output));
        var token = (string)JsonNode.Parse(output.ToString())!["api_key"]!;
        try
        {
            using var first = await ServerProcess.StartAsync([.. shared, .. MailroomTestServer.RelayTo(silentPort), "--Mailroom:NodeId=first"]);
            using var http = new HttpClient { BaseAddress = first.Address };
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var api = new ApiClient(http, "", token);
            var inbox = (string)(await api.CreateInboxAsync("takeover"))["inbox_id"]!;
            Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{inbox}/messages/send", new { to = "rita@remote.example", subject = "taken over", text = "x" })).Status);
            await WaitUntilAsync(() => !held.IsEmpty, "the first node never tried its relay");

            await using var second = await MailroomTestServer.StartAsync("postgres", [.. shared.Skip(1), .. MailroomTestServer.RelayTo(sink.Port), "--Mailroom:NodeId=second",
                $"--Mailroom:MasterKeyFile={Path.Combine(database.Directory, "master.key")}"]);
            // While the first node lives, it keeps renewing: the second node does not take the delivery, however long it runs.
            await Task.Delay(3 * Lease);
            Assert.Empty(Directory.GetFiles(sink.Folder, "*.eml"));

            first.Kill();
            var killed = Stopwatch.StartNew();
            Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(30)));
            killed.Stop();
            // A lease, a poll of the queue, and the delivery itself.
            Assert.True(killed.Elapsed < Lease + TimeSpan.FromSeconds(4), $"taken over after {killed.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            stop.Cancel();
            silent.Stop();
            await holding.ContinueWith(_ => { });
            foreach (var socket in held) socket.Dispose();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(condition(), failure);
    }
}

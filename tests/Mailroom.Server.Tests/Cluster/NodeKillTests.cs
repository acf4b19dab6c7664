using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Mail;
using Mailroom.Tests.Shared;
using Xunit.Abstractions;

namespace Mailroom.Server.Tests.Cluster;

/// <summary>
/// PostgreSQL only: two nodes serve one organization under a burst of SMTP mail and API sends through both, and one is
/// killed with SIGKILL in the middle. Every 250 is stored once, every accepted send is delivered, a send retried on the
/// other node with its Idempotency-Key answers the same message, and the survivor's event stream shows every stored
/// message once.
/// </summary>
public sealed class NodeKillTests(ITestOutputHelper log)
{
    private sealed record Stream(ConcurrentBag<string> EventIds, ConcurrentBag<(string Type, string MessageId)> Events);

    [Fact]
    public async Task A_node_killed_in_a_burst_loses_nothing_and_the_other_finishes_its_work()
    {
        if (!TestDatabase.PostgresAvailable) return;
        using var sink = await SmtpSink.StartAsync();
        await using var database = await TestDatabase.CreateAsync("postgres");
        string[] relay = [.. MailroomTestServer.RelayTo(sink.Port), "--Mailroom:Leases:Duration=00:00:03", "--Mailroom:RateLimit:RequestsPerSecond=1000", "--Mailroom:RateLimit:Burst=1000"];
        var firstConfig = database.HostArguments().Concat(relay).Append("--Mailroom:NodeId=first").ToList();
        var secondDataDir = Path.Combine(database.Directory, "second");
        var secondConfig = database.HostArguments().Skip(1).Concat(relay)
            .Concat(["--Mailroom:NodeId=second", $"--Mailroom:DataDir={secondDataDir}", $"--Mailroom:MasterKeyFile={Path.Combine(database.Directory, "master.key")}"]).ToList();
        var output = new StringWriter();
        Assert.Equal(0, await MailroomCommandLine.RunAsync(["admin", "create-org", "--name", "Cluster", .. firstConfig], output));
        var token = (string)JsonNode.Parse(output.ToString())!["api_key"]!;

        using var first = await ServerProcess.StartAsync(firstConfig);
        using var second = await ServerProcess.StartAsync(secondConfig);
        HttpClient Client(ServerProcess node)
        {
            var client = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(15) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return client;
        }
        using var firstApi = Client(first);
        using var secondApi = Client(second);
        var inbox = await new ApiClient(firstApi, "", token).CreateInboxAsync("cluster");
        var (inboxId, address) = ((string)inbox["inbox_id"]!, (string)inbox["email_address"]!);

        using var stopStream = new CancellationTokenSource();
        var stream = new Stream([], []);
        var streaming = ReadStreamAsync(secondApi, stream, stopStream.Token);

        // SMTP through both nodes; API sends alternating between them, each retried on the other node with its key when it fails.
        var accepted = new ConcurrentDictionary<string, byte>();
        var blasters = new[] { (first, "a"), (second, "b") }.Select(n => StartBlaster(n.Item1.SmtpPort, address, n.Item2)).ToList();
        var sent = new ConcurrentDictionary<string, string>();
        using var stopSending = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            for (var i = 0; !stopSending.IsCancellationRequested; i++)
            {
                var key = $"send-{i}";
                foreach (var client in i % 2 == 0 ? new[] { firstApi, secondApi } : [secondApi, firstApi])
                {
                    var messageId = await TrySendAsync(client, inboxId, key);
                    if (messageId is null) continue;
                    Assert.True(sent.TryAdd(key, messageId) || sent[key] == messageId);
                    break;
                }
            }
        });

        var killed = false;
        var killedAt = DateTime.MinValue;
        var reading = blasters.Select(b => Task.Run(async () =>
        {
            while (await b.Process.StandardOutput.ReadLineAsync() is { } line && line != "done")
            {
                accepted.TryAdd(b.Tag + line["accepted ".Length..], 0);
                if (!killed && accepted.Count >= 300 && sent.Count >= 20)
                {
                    killed = true;
                    killedAt = DateTime.UtcNow;
                    first.Kill();
                }
            }
        })).ToList();
        // The first node's blaster stops three seconds after its node died; the second one is stopped here.
        await reading[0];
        await Task.Delay(2000);
        blasters[1].Process.Kill(true);
        await reading[1];
        stopSending.Cancel();
        await sending;
        Assert.True(killed, "the burst ended before the kill");

        // Every 250 stored exactly once.
        var survivor = new ApiClient(secondApi, "", token);
        var stored = await WaitForAsync(async () =>
        {
            var all = await ListAllAsync(survivor, inboxId);
            return (accepted.Keys.All(all.Inbound.Contains), all);
        });
        Assert.Empty(accepted.Keys.Except(stored.Inbound));
        Assert.Empty(stored.Inbound.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key));

        // Every accepted send delivered. A second copy is allowed only for a send whose node died inside SMTP's window: the
        // relay had accepted the first copy just before the kill, and the node had not yet recorded it. The node delivers
        // several at once, so more than one send may be in that window.
        var delivered = await WaitForAsync(async () =>
        {
            var copies = new List<(string Subject, DateTime At)>();
            foreach (var file in Directory.GetFiles(sink.Folder, "*.eml"))
                copies.Add(((await File.ReadAllLinesAsync(file)).First(l => l.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: ".Length..],
                    File.GetLastWriteTimeUtc(file)));
            return (sent.Keys.All(copies.Select(c => c.Subject).Contains), copies);
        });
        Assert.Empty(sent.Keys.Except(delivered.Select(c => c.Subject)));
        foreach (var twice in delivered.GroupBy(c => c.Subject).Where(g => g.Count() > 1))
        {
            Assert.True(twice.Count() == 2, $"{twice.Key} delivered {twice.Count()} times");
            var firstCopy = twice.Min(c => c.At);
            Assert.True(firstCopy <= killedAt.AddSeconds(0.5) && firstCopy >= killedAt.AddSeconds(-2),
                $"{twice.Key} delivered twice, its first copy at {firstCopy:O}, not in SMTP's window at the kill ({killedAt:O})");
        }
        Assert.Equal(sent.Count, stored.Outbound.Count);

        // The survivor's stream: every stored message's event once, nothing repeated. It shows an event once every transaction
        // older than it has ended, on the whole PostgreSQL server (other tests' too), so wait for it to catch up.
        var expected = stored.InboundIds.Count + stored.OutboundIds.Count;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
            if (stream.Events.Count(e => e.Type is "message.received" or "message.sent") >= expected) break;
        await Task.Delay(500);
        stopStream.Cancel();
        await streaming;
        Assert.Equal(stream.EventIds.Count, stream.EventIds.Distinct().Count());
        var received = stream.Events.Where(e => e.Type == "message.received").Select(e => e.MessageId).ToList();
        Assert.Equal(stored.InboundIds.Order(), received.Order());
        Assert.Equal(stored.OutboundIds.Order(), stream.Events.Where(e => e.Type == "message.sent").Select(e => e.MessageId).Order());
        log.WriteLine($"{accepted.Count} messages got 250 ({accepted.Keys.Count(k => k[0] == 'a')} through the killed node), {sent.Count} sends accepted, " +
                      $"{delivered.Count} delivered, {stream.EventIds.Count} events on the survivor's stream");
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<(bool Done, T Value)>> check)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var (done, value) = await check();
            if (done || DateTime.UtcNow > deadline) return value;
            await Task.Delay(500);
        }
    }

    private sealed record Stored(List<string> Inbound, List<string> InboundIds, List<string> Outbound, List<string> OutboundIds);

    private static async Task<Stored> ListAllAsync(ApiClient api, string inboxId)
    {
        var result = new Stored([], [], [], []);
        var total = int.MaxValue;
        for (var page = 1; (page - 1) * 100 < total; page++)
        {
            var body = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages?page={page}&page_size=100")).Body!;
            total = (int)body["total"]!;
            foreach (var item in body["data"]!.AsArray())
            {
                var subject = (string)item!["subject"]!;
                if ((string)item["direction"]! == "inbound") { result.Inbound.Add(subject["crash ".Length..]); result.InboundIds.Add((string)item["message_id"]!); }
                else { result.Outbound.Add(subject); result.OutboundIds.Add((string)item["message_id"]!); }
            }
        }
        return result;
    }

    private static (Process Process, string Tag) StartBlaster(int smtpPort, string address, string tag)
    {
        var start = new ProcessStartInfo(ExternalTools.Python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", CrashTests.Blaster, smtpPort.ToString(), address, "3", tag }) start.ArgumentList.Add(argument);
        return (Process.Start(start)!, tag);
    }

    /// <summary>The message id of an accepted send, or null when the node did not answer 200 (it may be dead).</summary>
    private static async Task<string?> TrySendAsync(HttpClient client, string inboxId, string key)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v0/inboxes/{inboxId}/messages/send")
            {
                Content = JsonContent.Create(new { to = "rita@remote.example", subject = key, text = "from the cluster" }),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            if (!response.IsSuccessStatusCode) return null;
            return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message_id"]!;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task ReadStreamAsync(HttpClient client, Stream stream, CancellationToken stop)
    {
        using var response = await client.GetAsync("api/v0/events/stream", HttpCompletionOption.ResponseHeadersRead, stop);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
        try
        {
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal)) stream.EventIds.Add(line[4..]);
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var payload = JsonNode.Parse(line[6..])!;
                    stream.Events.Add(((string)payload["event_type"]!, (string)payload["message"]!["message_id"]!));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }
}

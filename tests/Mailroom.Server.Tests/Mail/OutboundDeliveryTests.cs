using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Dapper;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Smtp;
using Mailroom.Smtp.Server;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Mail;

/// <summary>Outbound mail leaves through the delivery queue to independent receivers on 127.0.0.1.</summary>
public sealed class OutboundDeliveryTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static string[] Relay(SmtpSink sink, params string[] more) =>
    [
        .. MailroomTestServer.RelayTo(sink.Port), "--Mailroom:Webhooks:AllowPrivateTargets=true", .. more,
    ];

    private static async Task<string> WaitForStatusAsync(ApiClient api, string inboxId, string messageId, string wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string status;
        do
        {
            status = (string)(await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}")).Body!["status"]!;
            if (status == wanted) return status;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        return status;
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_message_reaches_an_independent_receiver_dkim_signed_and_python_dkim_accepts_it(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider, Relay(sink));
        var api = await server.NewOrganizationAsync();
        var domain = (await api.PostAsync("/api/v0/domains", new { domain = "signed.example" })).Body!;
        var dkimRecord = (string)domain["records"]![2]!["value"]!;
        var inbox = await api.CreateInboxAsync("agent", "signed.example");
        await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.sent", "message.delivered" } });

        var sent = (await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send", new
        {
            to = new[] { "Rita Remote <rita@remote.example>" }, bcc = "hidden@remote.example", subject = "Grüße from the agent", text = "Signed and sealed.",
        })).Body!;

        var file = Assert.Single(await sink.WaitForAsync(1));
        var raw = await File.ReadAllTextAsync(file);
        Assert.Contains("X-Envelope-To: rita@remote.example,hidden@remote.example", raw);
        Assert.Contains("X-Envelope-From: agent@signed.example", raw);
        Assert.DoesNotContain("hidden@remote.example", raw[raw.IndexOf("DKIM-Signature", StringComparison.Ordinal)..]);
        Assert.Contains("DKIM-Signature:", raw);
        Assert.Contains("d=signed.example", raw);

        // python3-dkim, given the record the domain API published, verifies the signature on the bytes as received.
        const string verify = """
            import dkim, sys
            data = open(sys.argv[1], "rb").read()
            data = data[data.index(b"\r\n", data.index(b"X-Envelope-To:")) + 2:]
            record = sys.argv[2].encode()
            ok = dkim.verify(data, dnsfunc=lambda name, timeout=5: record if name == b"mailroom._domainkey.signed.example." else None)
            print("valid" if ok else "invalid")
            """;
        var result = await ExternalTools.PythonAsync(verify, file, dkimRecord);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("valid", result.Output.Trim());

        Assert.Equal("delivered", await WaitForStatusAsync(api, (string)inbox["inbox_id"]!, (string)sent["message_id"]!, "delivered"));
        // Webhook deliveries run in parallel: order is not promised, each event arrives.
        var events = (await receiver.WaitForAsync(2)).Select(r => (string)JsonNode.Parse(r.Body)!["event_type"]!).Order().ToList();
        Assert.Equal(["message.delivered", "message.sent"], events);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_451_is_retried_and_then_delivered(string provider)
    {
        using var sink = await SmtpSink.StartAsync(tempFailFirst: 1);
        await using var server = await MailroomTestServer.StartAsync(provider, Relay(sink, "--Mailroom:Outbound:RetryDelays:0=0.5"));
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("retry");
        var sent = (await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send",
            new { to = "later@remote.example", subject = "again", text = "x" })).Body!;

        Assert.Single(await sink.WaitForAsync(1));
        Assert.Equal("delivered", await WaitForStatusAsync(api, (string)inbox["inbox_id"]!, (string)sent["message_id"]!, "delivered"));
        await using var db = server.Database.Open();
        await using var connection = await db.OpenAsync();
        var outcomes = (await connection.QueryAsync<(long, string)>(
            "SELECT a.reply_code, a.outcome FROM delivery_attempts a JOIN outbound_deliveries d ON d.id = a.delivery_id " +
            "WHERE d.message_id = @id ORDER BY a.attempted_at, a.id", new { id = (string)sent["message_id"]! })).ToList();
        Assert.Equal([(451L, "deferred"), (250L, "delivered")], outcomes);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_550_bounces_and_announces_message_bounced(string provider)
    {
        using var sink = await SmtpSink.StartAsync(rejectRecipients: true);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider, Relay(sink));
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("bouncer");
        await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.bounced" } });

        var sent = (await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send",
            new { to = "ghost@remote.example", subject = "anyone?", text = "x" })).Body!;

        Assert.Equal("bounced", await WaitForStatusAsync(api, (string)inbox["inbox_id"]!, (string)sent["message_id"]!, "bounced"));
        var bounced = JsonNode.Parse(Assert.Single(await receiver.WaitForAsync(1)).Body)!;
        Assert.Equal((string)sent["message_id"]!, (string)bounced["message"]!["message_id"]!);
        Assert.Empty(await sink.WaitForAsync(0));
    }

    [Fact]
    public async Task Temporary_failures_past_the_retry_window_bounce()
    {
        using var sink = await SmtpSink.StartAsync(tempFailFirst: 1000);
        await using var server = await MailroomTestServer.StartAsync("sqlite",
            Relay(sink, "--Mailroom:Outbound:RetryDelays:0=0.3", "--Mailroom:Outbound:RetryWindow=00:00:01"));
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("patient");
        var sent = (await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send",
            new { to = "busy@remote.example", subject = "hello?", text = "x" })).Body!;

        Assert.Equal("bounced", await WaitForStatusAsync(api, (string)inbox["inbox_id"]!, (string)sent["message_id"]!, "bounced"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Mx_mode_finds_the_receiver_through_dns(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        using var dns = Dnsmasq.Start(["--mx-host=mx-routed.example,mail.mx-routed.example,10", "--host-record=mail.mx-routed.example,127.0.0.1"]);
        await using var server = await MailroomTestServer.StartAsync(provider, "--Mailroom:Outbound:Mode=mx", $"--Mailroom:Outbound:MxPort={sink.Port}",
            $"--Mailroom:Dns:Servers={dns.Endpoint}");
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("router");

        await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send", new { to = "postmaster@mx-routed.example", subject = "via MX", text = "x" });

        var files = await sink.WaitForAsync(1);
        await using var db = server.Database.Open();
        await using var connection = await db.OpenAsync();
        var attempts = string.Join("\n", await connection.QueryAsync<string>("SELECT COALESCE(host,'') || ' ' || COALESCE(reply_text,'') FROM delivery_attempts"));
        Assert.True(files.Count == 1, attempts);
        var raw = await File.ReadAllTextAsync(files[0]);
        Assert.Contains("Subject: via MX", raw);
    }

    /// <summary>
    /// Two routes in one attempt: ok.example's MX accepts, then slow.example's MX (same port, 127.0.0.2) accepts the
    /// connection and never greets. While the second route hangs the first one's recipient is already recorded; a kill
    /// then, and the retry after the restart, go to slow.example only: the accepted recipient is not sent the message again.
    /// </summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task A_route_that_was_accepted_is_recorded_at_once_and_not_sent_again_after_a_kill_in_the_next_route(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        var silent = new TcpListener(IPAddress.Parse("127.0.0.2"), sink.Port);
        silent.Start();
        var held = new ConcurrentQueue<Socket>();
        using var stop = new CancellationTokenSource();
        var holding = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) held.Enqueue(await silent.AcceptSocketAsync(stop.Token));
        });
        using var dns = Dnsmasq.Start(["--mx-host=ok.example,mail.ok.example,10", "--host-record=mail.ok.example,127.0.0.1",
            "--mx-host=slow.example,mail.slow.example,10", "--host-record=mail.slow.example,127.0.0.2"]);
        await using var database = await TestDatabase.CreateAsync(provider);
        var configuration = database.HostArguments()
            .Concat(["--Mailroom:Outbound:Mode=mx", $"--Mailroom:Outbound:MxPort={sink.Port}", $"--Mailroom:Dns:Servers={dns.Endpoint}",
                // Named, so that the restarted node takes back at once the delivery the killed process held.
                "--Mailroom:NodeId=routes-node"]).ToList();
        var output = new StringWriter();
        Assert.Equal(0, await Cli.MailroomCommandLine.RunAsync(["admin", "create-org", "--name", "Routes", .. configuration], output));
        var token = (string)JsonNode.Parse(output.ToString())!["api_key"]!;
        try
        {
            int httpPort, smtpPort;
            using (var first = await ServerProcess.StartAsync(configuration))
            {
                (httpPort, smtpPort) = (first.HttpPort, first.SmtpPort);
                using var http = new HttpClient { BaseAddress = first.Address };
                http.DefaultRequestHeaders.Authorization = new("Bearer", token);
                var api = new ApiClient(http, "", token);
                var inbox = await api.CreateInboxAsync("routes");
                Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send",
                    new { to = new[] { "first@ok.example", "second@slow.example" }, subject = "two routes", text = "x" })).Status);

                await WaitUntilAsync(() => held.Count >= 1, "the second route was never tried");
                await using var db = database.Open();
                await using var connection = await db.OpenAsync();
                Assert.Equal("[\"second@slow.example\"]", await connection.QuerySingleAsync<string>("SELECT recipients_json FROM outbound_deliveries"));
                Assert.Equal([(250L, "delivered")], (await connection.QueryAsync<(long, string)>("SELECT reply_code, outcome FROM delivery_attempts")).ToList());
                first.Kill();
            }

            using var second = await ServerProcess.StartAsync(configuration, httpPort, smtpPort);
            // The retry has reached the second route again: whatever it sent before, it has sent.
            await WaitUntilAsync(() => held.Count >= 2, "the delivery was not retried after the restart");
            var received = await sink.WaitForAsync(1);
            Assert.Single(received);
            Assert.Contains("X-Envelope-To: first@ok.example\r\n", await File.ReadAllTextAsync(received[0]));
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

    /// <summary>A smarthost that demands STARTTLS and AUTH: our own SMTP server library with a test certificate and password.</summary>
    [Fact]
    public async Task Relay_mode_uses_starttls_and_auth()
    {
        var received = new ConcurrentQueue<SmtpEnvelope>();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var relay = new SmtpServer(new SmtpServerOptions { ServerName = "relay.test", Certificate = SmtpCertificates.CreateSelfSigned("relay.test") },
            new AcceptAll(), new Capture(received), new Password("relay-user", "relay-secret"));
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                _ = Task.Run(async () =>
                {
                    await using var stream = new NetworkStream(socket, true);
                    await relay.HandleConnectionAsync(stream, new SmtpConnectionContext(socket.RemoteEndPoint, socket.LocalEndPoint), stop.Token);
                });
            }
        });
        try
        {
            await using var server = await MailroomTestServer.StartAsync("sqlite", "--Mailroom:Outbound:Mode=relay", "--Mailroom:Outbound:Relay:Host=127.0.0.1",
                $"--Mailroom:Outbound:Relay:Port={port}", "--Mailroom:Outbound:Relay:Tls=starttls", "--Mailroom:Outbound:Relay:AcceptAnyCertificate=true",
                "--Mailroom:Outbound:Relay:Username=relay-user", "--Mailroom:Outbound:Relay:Password=relay-secret");
            var api = await server.NewOrganizationAsync();
            var inbox = await api.CreateInboxAsync("relayed");
            await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send", new { to = "far@away.example", subject = "through", text = "x" });

            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (received.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
            var envelope = Assert.Single(received);
            Assert.True(envelope.IsTls);
            Assert.Equal("relay-user", envelope.AuthenticatedUser);
            Assert.Equal(["far@away.example"], envelope.Recipients);
        }
        finally
        {
            stop.Cancel();
            listener.Stop();
            await serving.ContinueWith(_ => { });
        }
    }

    private sealed class AcceptAll : ISmtpRecipientPolicy
    {
        public ValueTask<SmtpRecipientDecision> CheckRecipientAsync(SmtpSessionInfo info, string address, CancellationToken ct) =>
            ValueTask.FromResult(info.AuthenticatedUser is null ? SmtpRecipientDecision.RelayDenied : SmtpRecipientDecision.Accept);
    }

    private sealed class Capture(ConcurrentQueue<SmtpEnvelope> received) : ISmtpMessageStore
    {
        public ValueTask<SmtpReply> StoreAsync(SmtpEnvelope envelope, SmtpMessageBody body, CancellationToken ct)
        {
            received.Enqueue(envelope);
            return ValueTask.FromResult(SmtpReplies.Queued("relay-1"));
        }
    }

    private sealed class Password(string user, string password) : ISmtpAuthenticator
    {
        public ValueTask<bool> AuthenticateAsync(SmtpSessionInfo info, string userName, string pass, CancellationToken ct) =>
            ValueTask.FromResult(userName == user && pass == password);
    }
}

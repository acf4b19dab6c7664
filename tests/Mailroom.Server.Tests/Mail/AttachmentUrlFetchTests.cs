using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Mail;

/// <summary>
/// An attachment URL whose server answers its headers and then drips the body, one byte at a time: the send is
/// refused naming the field once the fetch's deadline or minimum rate is passed, never held open.
/// </summary>
public sealed class AttachmentUrlFetchTests
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_dripping_attachment_url_is_refused_at_the_deadline(string provider)
    {
        await using var drip = DrippingServer.Start();
        await using var server = await MailroomTestServer.StartAsync(provider, "--Mailroom:Webhooks:AllowPrivateTargets=true",
            "--Mailroom:Fetch:Deadline=00:00:03", "--Mailroom:Fetch:MinBytesPerSecond=0");

        var (status, message, elapsed) = await SendAsync(server, drip.Url);

        Assert.Equal(400, status);
        Assert.Equal("attachments[0].url: could not be fetched: no complete answer within 3 s", message);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(10));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_dripping_attachment_url_is_refused_below_the_minimum_rate(string provider)
    {
        await using var drip = DrippingServer.Start();
        await using var server = await MailroomTestServer.StartAsync(provider, "--Mailroom:Webhooks:AllowPrivateTargets=true",
            "--Mailroom:Fetch:MinBytesPerSecond=1000");

        var (status, message, elapsed) = await SendAsync(server, drip.Url);

        Assert.Equal(400, status);
        Assert.Equal("attachments[0].url: could not be fetched: the answer came slower than 1000 bytes per second", message);
        // The rate is judged from 5 s after the headers on, well before the 60 s deadline.
        Assert.InRange(elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(15));
    }

    private static async Task<(int Status, string? Message, TimeSpan Elapsed)> SendAsync(MailroomTestServer server, string url)
    {
        var owner = await server.NewOrganizationAsync();
        var inbox = await owner.CreateInboxAsync("drip-" + Guid.NewGuid().ToString("N")[..8]);
        // Without a deadline of the server's own the send would hang: this client gives up long after the server should have.
        using var http = server.Client(owner.Token);
        http.Timeout = TimeSpan.FromSeconds(30);
        var api = owner with { Http = http };
        var clock = Stopwatch.StartNew();
        var (status, body) = await api.PostAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/send", new
        {
            to = "someone@example.com", text = "report attached",
            attachments = new[] { new { filename = "report.txt", content_type = "text/plain", url } },
        });
        return (status, (string?)body?["message"], clock.Elapsed);
    }

    /// <summary>An HTTP server on 127.0.0.1 that sends a 200 with a large Content-Length, then one byte every 200 ms.</summary>
    private sealed class DrippingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/report.txt";

        public static DrippingServer Start()
        {
            var server = new DrippingServer();
            server._listener.Start();
            server._serving = server.ServeAsync();
            return server;
        }

        private async Task ServeAsync()
        {
            var clients = new List<Task>();
            try
            {
                while (true) clients.Add(DripAsync(await _listener.AcceptTcpClientAsync(_stop.Token)));
            }
            catch (OperationCanceledException) { }
            await Task.WhenAll(clients);
        }

        private async Task DripAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            try
            {
                var request = new byte[4096];
                var seen = "";
                while (!seen.Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(request, _stop.Token);
                    if (read == 0) return;
                    seen += Encoding.ASCII.GetString(request, 0, read);
                }
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n"u8.ToArray(), _stop.Token);
                while (true)
                {
                    await stream.WriteAsync("x"u8.ToArray(), _stop.Token);
                    await Task.Delay(200, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException) { } // stopped, or the fetcher hung up
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }
    }
}

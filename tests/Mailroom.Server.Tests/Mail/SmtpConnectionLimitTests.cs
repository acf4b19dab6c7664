using System.Net;
using System.Net.Sockets;
using System.Text;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Mail;

/// <summary>The listener applies the <c>Mailroom:Smtp</c> connection limits to real sockets.</summary>
public sealed class SmtpConnectionLimitTests
{
    [Fact]
    public async Task Per_address_cap_deadline_and_minimum_rate_come_from_configuration()
    {
        await using var server = await MailroomTestServer.StartAsync("sqlite",
            "--Mailroom:Smtp:MaxConnectionsPerAddress=1", "--Mailroom:Smtp:MaxSessionDuration=00:00:05",
            "--Mailroom:Smtp:MinDataRate=1000", "--Mailroom:Smtp:IdleTimeout=00:00:02");

        await using var held = await Line.ConnectAsync(server.SmtpEndPoint, IPAddress.Loopback);
        Assert.StartsWith("220 ", await held.ReadAsync());
        await using (var refused = await Line.ConnectAsync(server.SmtpEndPoint, IPAddress.Loopback))
        {
            Assert.Equal("421 4.7.0 Too many connections from your address, try again later", await refused.ReadAsync());
            Assert.Null(await refused.ReadAsync());
        }

        // The first client stays busy (well within the idle timeout) until the session deadline ends it.
        var deadline = NoopUntilRefusedAsync(held);

        // Another address still gets in; sending a command line at 20 octets a second, it is cut off for its rate.
        await using var slow = await Line.ConnectAsync(server.SmtpEndPoint, IPAddress.Parse("127.0.0.2"));
        Assert.StartsWith("220 ", await slow.ReadAsync());
        var cutOff = slow.ReadAsync();
        foreach (var octet in "NOOP " + new string('x', 200))
        {
            if (cutOff.IsCompleted) break;
            await slow.SendAsync(octet.ToString());
            await Task.WhenAny(cutOff, Task.Delay(50));
        }
        Assert.Equal("421 4.4.2 Data rate too low, closing connection", await cutOff);

        Assert.Equal("421 4.4.2 Session time limit reached, closing connection", await deadline);
    }

    private static async Task<string?> NoopUntilRefusedAsync(Line client)
    {
        while (true)
        {
            await client.SendAsync("NOOP\r\n");
            var reply = await client.ReadAsync();
            if (reply is null || !reply.StartsWith("250 "))
            {
                return reply;
            }
            await Task.Delay(200);
        }
    }

    /// <summary>A raw SMTP client bound to a chosen loopback source address, reading one-line replies.</summary>
    private sealed class Line(TcpClient tcp) : IAsyncDisposable
    {
        private readonly StreamReader _reader = new(tcp.GetStream(), Encoding.ASCII);

        public static async Task<Line> ConnectAsync(IPEndPoint server, IPAddress from)
        {
            var tcp = new TcpClient(new IPEndPoint(from, 0));
            await tcp.ConnectAsync(server);
            return new Line(tcp);
        }

        public async Task<string?> ReadAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            return await _reader.ReadLineAsync(timeout.Token);
        }

        public async Task SendAsync(string text) => await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(text));

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

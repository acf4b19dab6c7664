using System.Security.Cryptography.X509Certificates;
using System.Net.Security;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

public sealed class ConnectionDriverTests
{
    private static SmtpServerOptions Options(Func<SmtpServerOptions, SmtpServerOptions>? change = null)
    {
        var options = new SmtpServerOptions { ServerName = "mx.example.com", Certificate = TestCertificate.Instance, IdleTimeout = TimeSpan.FromSeconds(30) };
        return change is null ? options : change(options);
    }

    /// <summary>A raw client: writes text, reads whole replies.</summary>
    private sealed class RawClient(Stream stream) : IAsyncDisposable
    {
        private readonly List<byte> _pending = [];

        public Stream Stream { get; private set; } = stream;

        public async Task SendAsync(string text)
        {
            await Stream.WriteAsync(Encoding.UTF8.GetBytes(text));
            await Stream.FlushAsync();
        }

        public async Task<SmtpReply> ReadAsync()
        {
            var parser = new SmtpReplyParser();
            var buffer = new byte[4096];
            while (true)
            {
                var lf = _pending.IndexOf((byte)'\n');
                if (lf >= 0)
                {
                    var line = Encoding.UTF8.GetString(_pending.GetRange(0, lf - 1).ToArray());
                    _pending.RemoveRange(0, lf + 1);
                    if (parser.Add(line) is { } reply)
                    {
                        return reply;
                    }
                    continue;
                }
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var read = await Stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    throw new IOException("closed");
                }
                _pending.AddRange(buffer.AsSpan(0, read));
            }
        }

        public async Task<SslStream> StartTlsAsync()
        {
            var tls = new SslStream(Stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mx.example.com" });
            Stream = tls;
            _pending.Clear();
            return tls;
        }

        public ValueTask DisposeAsync() => Stream.DisposeAsync();
    }

    [Fact]
    public async Task Greets_and_answers_pipelined_commands_in_order()
    {
        await using var server = new LoopbackServer(Options());
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        Assert.Equal("220 mx.example.com ESMTP Mailroom\r\n", (await client.ReadAsync()).ToWireFormat());
        await client.SendAsync("EHLO c\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<x@elsewhere.test>\r\nDATA\r\n");
        Assert.Equal(250, (await client.ReadAsync()).Code);
        Assert.Equal("2.1.0", (await client.ReadAsync()).EnhancedCode);
        Assert.Equal("2.1.5", (await client.ReadAsync()).EnhancedCode);
        Assert.Equal("5.7.1", (await client.ReadAsync()).EnhancedCode);
        Assert.Equal(354, (await client.ReadAsync()).Code);
        await client.SendAsync("Subject: test\r\n\r\nhello\r\n.\r\nQUIT\r\n");
        Assert.Equal(250, (await client.ReadAsync()).Code);
        Assert.Equal(221, (await client.ReadAsync()).Code);
        var message = Assert.Single(server.Store.Messages);
        Assert.Equal("Subject: test\r\n\r\nhello\r\n", message.Text);
        Assert.Equal("127.0.0.1", ((System.Net.IPEndPoint)message.Envelope.RemoteEndPoint!).Address.ToString());
    }

    [Fact]
    public async Task Starttls_upgrades_and_resets_the_session()
    {
        await using var server = new LoopbackServer(Options());
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        await client.SendAsync("EHLO c\r\n");
        Assert.Contains("STARTTLS", (await client.ReadAsync()).Lines);
        await client.SendAsync("STARTTLS\r\n");
        Assert.Equal(220, (await client.ReadAsync()).Code);
        var tls = await client.StartTlsAsync();
        Assert.Equal("CN=mx.example.com", tls.RemoteCertificate!.Subject);
        await client.SendAsync("MAIL FROM:<s@remote.test>\r\n");
        Assert.Equal(503, (await client.ReadAsync()).Code);
        await client.SendAsync("EHLO c\r\n");
        var ehlo = await client.ReadAsync();
        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
        Assert.Contains("AUTH PLAIN LOGIN", ehlo.Lines);
        await client.SendAsync("MAIL FROM:<s@remote.test>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n");
        Assert.Equal(250, (await client.ReadAsync()).Code);
        Assert.Equal(250, (await client.ReadAsync()).Code);
        Assert.Equal(354, (await client.ReadAsync()).Code);
        await client.SendAsync("secret\r\n.\r\n");
        Assert.Equal(250, (await client.ReadAsync()).Code);
        Assert.True(Assert.Single(server.Store.Messages).Envelope.IsTls);
    }

    [Fact]
    public async Task Idle_client_gets_421_and_is_disconnected()
    {
        await using var server = new LoopbackServer(Options(o => o with { IdleTimeout = TimeSpan.FromMilliseconds(300) }));
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        var started = DateTime.UtcNow;
        Assert.Equal("421 4.4.2 Idle timeout, closing connection\r\n", (await client.ReadAsync()).ToWireFormat());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250));
        Assert.Equal(0, await tcp.GetStream().ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Connections_over_the_limit_get_421_and_are_closed()
    {
        await using var server = new LoopbackServer(Options(o => o with { MaxConnections = 1 }));
        using var first = await server.ConnectAsync();
        await using var firstClient = new RawClient(first.GetStream());
        Assert.Equal(220, (await firstClient.ReadAsync()).Code);
        using var second = await server.ConnectAsync();
        await using var secondClient = new RawClient(second.GetStream());
        Assert.Equal("421 4.3.2 Too many connections, try again later\r\n", (await secondClient.ReadAsync()).ToWireFormat());
        Assert.Equal(0, await second.GetStream().ReadAsync(new byte[1]));
        await firstClient.SendAsync("QUIT\r\n");
        Assert.Equal(221, (await firstClient.ReadAsync()).Code);
    }

    [Fact]
    public async Task One_address_cannot_take_more_than_its_connections_while_another_address_still_can()
    {
        await using var server = new LoopbackServer(Options(o => o with { MaxConnections = 10, MaxConnectionsPerAddress = 2 }));
        var held = new List<(TcpClient Tcp, RawClient Client)>();
        for (var i = 0; i < 2; i++)
        {
            var tcp = await server.ConnectAsync();
            var client = new RawClient(tcp.GetStream());
            Assert.Equal(220, (await client.ReadAsync()).Code);
            held.Add((tcp, client));
        }
        using (var third = await server.ConnectAsync())
        {
            await using var thirdClient = new RawClient(third.GetStream());
            Assert.Equal("421 4.7.0 Too many connections from your address, try again later\r\n", (await thirdClient.ReadAsync()).ToWireFormat());
            Assert.Equal(0, await third.GetStream().ReadAsync(new byte[1]));
        }

        using var other = await server.ConnectAsync(IPAddress.Parse("127.0.0.2"));
        await using var otherClient = new RawClient(other.GetStream());
        Assert.Equal(220, (await otherClient.ReadAsync()).Code);
        await otherClient.SendAsync("EHLO other.test\r\n");
        Assert.Equal(250, (await otherClient.ReadAsync()).Code);

        // A connection that ends gives its slot back to its address.
        await held[0].Client.SendAsync("QUIT\r\n");
        Assert.Equal(221, (await held[0].Client.ReadAsync()).Code);
        Assert.Equal(0, await held[0].Tcp.GetStream().ReadAsync(new byte[1]));
        using var again = await server.ConnectAsync();
        await using var againClient = new RawClient(again.GetStream());
        Assert.Equal(220, (await againClient.ReadAsync()).Code);
        foreach (var (tcp, client) in held)
        {
            await client.DisposeAsync();
            tcp.Dispose();
        }
    }

    [Fact]
    public async Task A_client_that_dribbles_commands_is_cut_off_at_the_session_deadline()
    {
        // Each byte comes well within the idle timeout and the rate is off: only the deadline can end this session.
        await using var server = new LoopbackServer(Options(o => o with
        {
            IdleTimeout = TimeSpan.FromSeconds(2), MinDataRate = 0, MaxSessionDuration = TimeSpan.FromSeconds(3),
        }));
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        var reply = await DribbleAsync(client, string.Concat(Enumerable.Repeat("NOOP\r\n", 30)), TimeSpan.FromMilliseconds(100));
        Assert.Equal("421 4.4.2 Session time limit reached, closing connection\r\n", reply.ToWireFormat());
        Assert.Equal(0, await tcp.GetStream().ReadAsync(new byte[1]));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("EHLO c\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n", 4)]
    [InlineData("EHLO c\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.com>\r\nBDAT 100000 LAST\r\n", 3)]
    public async Task A_command_line_or_message_slower_than_the_minimum_rate_is_cut_off(string setup, int setupReplies)
    {
        // 20 octets a second against a minimum of 1000: cut off soon after the idle allowance, though no gap reaches it.
        await using var server = new LoopbackServer(Options(o => o with { IdleTimeout = TimeSpan.FromSeconds(2), MinDataRate = 1000 }));
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        await client.SendAsync(setup);
        for (var i = 0; i < setupReplies; i++)
        {
            Assert.True((await client.ReadAsync()).Code < 400);
        }
        var reply = await DribbleAsync(client, "Subject: slow" + new string('x', 200), TimeSpan.FromMilliseconds(50));
        Assert.Equal("421 4.4.2 Data rate too low, closing connection\r\n", reply.ToWireFormat());
        Assert.Equal(0, await tcp.GetStream().ReadAsync(new byte[1]));
        Assert.Empty(server.Store.Messages);
    }

    [Fact]
    public async Task Pauses_between_commands_are_not_held_against_the_data_rate()
    {
        // The rate clock restarts at each command boundary; only the idle timeout bounds a pause there.
        await using var server = new LoopbackServer(Options(o => o with { IdleTimeout = TimeSpan.FromSeconds(2), MinDataRate = 1_000_000 }));
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        foreach (var command in new[] { "EHLO c\r\n", "MAIL FROM:<s@remote.test>\r\n", "RCPT TO:<alice@example.com>\r\n", "DATA\r\n" })
        {
            await Task.Delay(TimeSpan.FromMilliseconds(600));
            await client.SendAsync(command);
            Assert.True((await client.ReadAsync()).Code < 400);
        }
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        await client.SendAsync("Subject: paused\r\n\r\nhi\r\n.\r\n");
        Assert.Equal(250, (await client.ReadAsync()).Code);
        Assert.Single(server.Store.Messages);
    }

    /// <summary>Sends <paramref name="text"/> one octet per <paramref name="interval"/> and returns the first reply that is not 250.</summary>
    private static async Task<SmtpReply> DribbleAsync(RawClient client, string text, TimeSpan interval)
    {
        var answer = FirstRefusalAsync(client);
        foreach (var octet in text)
        {
            if (answer.IsCompleted)
            {
                break;
            }
            try
            {
                await client.SendAsync(octet.ToString());
            }
            catch (IOException)
            {
                break;
            }
            await Task.WhenAny(answer, Task.Delay(interval));
        }
        return await answer;
    }

    private static async Task<SmtpReply> FirstRefusalAsync(RawClient client)
    {
        while (true)
        {
            var reply = await client.ReadAsync();
            if (reply.Code != 250)
            {
                return reply;
            }
        }
    }

    [Fact]
    public async Task Quit_and_too_many_errors_close_the_connection()
    {
        await using var server = new LoopbackServer(Options(o => o with { MaxBadCommands = 2 }));
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        await client.SendAsync("FOO\r\nBAR\r\nNOOP\r\n");
        Assert.Equal(500, (await client.ReadAsync()).Code);
        Assert.Equal(500, (await client.ReadAsync()).Code);
        Assert.Equal("4.7.0", (await client.ReadAsync()).EnhancedCode);
        Assert.Equal(0, await tcp.GetStream().ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Shutdown_tells_connected_clients()
    {
        var server = new LoopbackServer(Options());
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        await server.DisposeAsync();
        Assert.Equal("421 4.3.2 Server shutting down\r\n", (await client.ReadAsync()).ToWireFormat());
    }

    [Fact]
    public async Task Failed_tls_handshake_ends_the_connection_quietly()
    {
        await using var server = new LoopbackServer(Options());
        using var tcp = await server.ConnectAsync();
        await using var client = new RawClient(tcp.GetStream());
        await client.ReadAsync();
        await client.SendAsync("EHLO c\r\nSTARTTLS\r\n");
        await client.ReadAsync();
        await client.ReadAsync();
        await client.SendAsync("this is not a TLS client hello\r\n");
        var buffer = new byte[64];
        while (await tcp.GetStream().ReadAsync(buffer) > 0)
        {
        }
        Assert.Equal(0, server.Server.ActiveConnections);
    }

    [Fact]
    public void Self_signed_certificate_has_the_host_name_and_a_private_key()
    {
        using var certificate = SmtpCertificates.CreateSelfSigned("mail.example.org");
        Assert.Equal("CN=mail.example.org", certificate.Subject);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
        Assert.True(certificate.NotAfter > DateTime.Now.AddDays(300));
    }
}

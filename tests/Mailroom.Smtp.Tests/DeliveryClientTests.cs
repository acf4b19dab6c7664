using System.Diagnostics;
using System.Text;
using Mailroom.Smtp.Client;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

/// <summary>Our client delivering to our server over loopback sockets, and Python's smtplib delivering to our server.</summary>
public sealed class DeliveryClientTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("From: agent@example.com\nTo: alice@example.com\nSubject: hi\n\n.hidden dot\nbody é\n.\nend");

    private static SmtpServerOptions ServerOptions(bool tls = true) => new()
    {
        ServerName = "mx.example.com",
        Certificate = tls ? TestCertificate.Instance : null,
        IdleTimeout = TimeSpan.FromSeconds(30),
    };

    private static async Task<SmtpDeliveryResult> DeliverAsync(LoopbackServer server, SmtpClientOptions options, IReadOnlyList<string> recipients, byte[]? message = null)
    {
        using var tcp = await server.ConnectAsync();
        return await SmtpDeliveryClient.DeliverAsync(tcp.GetStream(), options, "agent@example.com", recipients, message ?? Message, CancellationToken.None);
    }

    [Fact]
    public async Task Delivers_with_pipelining_normalizing_and_stuffing_the_message()
    {
        await using var server = new LoopbackServer(ServerOptions(tls: false));
        var result = await DeliverAsync(server, new SmtpClientOptions { HeloName = "out.example.com", TlsMode = SmtpTlsMode.None },
            ["alice@example.com", "nobody@example.com", "bob@example.com"]);
        Assert.Equal(SmtpDeliveryStatus.Delivered, result.Status);
        Assert.Equal([SmtpDeliveryStatus.Delivered, SmtpDeliveryStatus.PermanentFailure, SmtpDeliveryStatus.Delivered], result.Recipients.Select(r => r.Status));
        Assert.StartsWith("OK: queued as", result.DataReply!.Text);
        var stored = Assert.Single(server.Store.Messages);
        Assert.Equal("From: agent@example.com\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\n.hidden dot\r\nbody é\r\n.\r\nend\r\n", stored.Text);
        Assert.Equal(SmtpBodyType.EightBitMime, stored.Envelope.BodyType);
        Assert.Equal(stored.Bytes.Length, stored.Envelope.DeclaredSize);
        Assert.Equal("out.example.com", stored.Envelope.HeloName);
    }

    [Fact]
    public async Task Required_starttls_validates_the_certificate()
    {
        await using var server = new LoopbackServer(ServerOptions());
        var strict = new SmtpClientOptions { HeloName = "out.example.com", TlsMode = SmtpTlsMode.StartTlsRequired, TargetHost = "mx.example.com" };
        var refused = await DeliverAsync(server, strict, ["alice@example.com"]);
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, refused.Status);
        Assert.Empty(server.Store.Messages);

        var trusting = await DeliverAsync(server, strict with { AcceptAnyCertificate = true }, ["alice@example.com"]);
        Assert.Equal(SmtpDeliveryStatus.Delivered, trusting.Status);
        Assert.True(Assert.Single(server.Store.Messages).Envelope.IsTls);
    }

    [Fact]
    public async Task Opportunistic_tls_encrypts_without_checking_the_certificate()
    {
        await using var server = new LoopbackServer(ServerOptions());
        var result = await DeliverAsync(server, new SmtpClientOptions { HeloName = "out.example.com" }, ["alice@example.com"]);
        Assert.Equal(SmtpDeliveryStatus.Delivered, result.Status);
        Assert.True(Assert.Single(server.Store.Messages).Envelope.IsTls);
    }

    [Fact]
    public async Task Starttls_required_without_a_server_certificate_is_transient()
    {
        await using var server = new LoopbackServer(ServerOptions(tls: false));
        var result = await DeliverAsync(server, new SmtpClientOptions { HeloName = "out.example.com", TlsMode = SmtpTlsMode.StartTlsRequired }, ["alice@example.com"]);
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, result.Status);
        Assert.Contains("STARTTLS", result.Reply!.Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Authenticated_client_may_relay(bool plainOffered)
    {
        await using var server = new LoopbackServer(ServerOptions());
        var options = new SmtpClientOptions
        {
            HeloName = "out.example.com",
            TlsMode = SmtpTlsMode.StartTlsRequired,
            AcceptAnyCertificate = true,
            Credentials = new SmtpCredentials("agent", "s3cret pass"),
        };
        var unauthenticated = await DeliverAsync(server, options with { Credentials = null }, ["someone@elsewhere.test"]);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, unauthenticated.Status);
        Assert.Equal("5.7.1", unauthenticated.Reply!.EnhancedCode);

        // LOGIN is used when PLAIN is not offered: exercised through a session that only sees LOGIN.
        if (!plainOffered)
        {
            var session = new SmtpClientSession(options, "a@example.com", ["x@elsewhere.test"], 1, false, false);
            session.Start();
            session.OnReply(SmtpReplyParser.Parse("220 mx\r\n"));
            session.OnReply(SmtpReplyParser.Parse("250-mx\r\n250 STARTTLS\r\n"));
            session.OnReply(SmtpReplyParser.Parse("220 go\r\n"));
            session.OnTlsEstablished();
            Assert.Equal(["AUTH LOGIN"], session.OnReply(SmtpReplyParser.Parse("250-mx\r\n250 AUTH LOGIN\r\n")).Commands);
        }
        var relayed = await DeliverAsync(server, options, ["someone@elsewhere.test"]);
        Assert.Equal(SmtpDeliveryStatus.Delivered, relayed.Status);
        Assert.Equal("agent", Assert.Single(server.Store.Messages).Envelope.AuthenticatedUser);
    }

    [Fact]
    public async Task Auth_login_against_the_server()
    {
        await using var server = new LoopbackServer(ServerOptions());
        using var tcp = await server.ConnectAsync();
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        async Task<string> Say(string line)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            var reply = await reader.ReadLineAsync();
            while (reply![3] == '-')
            {
                reply = await reader.ReadLineAsync();
            }
            return reply;
        }
        await reader.ReadLineAsync();
        await Say("EHLO c");
        Assert.StartsWith("220", await Say("STARTTLS"));
        var tls = new System.Net.Security.SslStream(stream, false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("mx.example.com");
        reader = new StreamReader(tls, Encoding.ASCII);
        async Task<string> SayTls(string line)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            var reply = await reader.ReadLineAsync();
            while (reply![3] == '-')
            {
                reply = await reader.ReadLineAsync();
            }
            return reply;
        }
        await SayTls("EHLO c");
        Assert.Equal("334 VXNlcm5hbWU6", await SayTls("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await SayTls(Convert.ToBase64String(Encoding.UTF8.GetBytes("agent"))));
        Assert.StartsWith("235 2.7.0", await SayTls(Convert.ToBase64String(Encoding.UTF8.GetBytes("s3cret pass"))));
    }

    [Fact]
    public async Task Wrong_password_is_a_permanent_failure()
    {
        await using var server = new LoopbackServer(ServerOptions());
        var result = await DeliverAsync(server, new SmtpClientOptions
        {
            HeloName = "out.example.com",
            AcceptAnyCertificate = true,
            Credentials = new SmtpCredentials("agent", "wrong"),
        }, ["alice@example.com"]);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, result.Status);
        Assert.Equal(535, result.Reply!.Code);
    }

    [Fact]
    public async Task Large_streamed_message_arrives_intact()
    {
        await using var server = new LoopbackServer(ServerOptions(tls: false) with { MemoryBufferThreshold = 64 * 1024 });
        var body = new StringBuilder("Subject: big\r\n\r\n");
        for (var i = 0; i < 20000; i++)
        {
            body.Append(i % 7 == 0 ? ".dot line " : "line ").Append(i).Append("\r\n");
        }
        var bytes = Encoding.ASCII.GetBytes(body.ToString());
        using var tcp = await server.ConnectAsync();
        var result = await SmtpDeliveryClient.DeliverAsync(tcp.GetStream(), new SmtpClientOptions { HeloName = "o", TlsMode = SmtpTlsMode.None },
            "a@example.com", ["alice@example.com"], new NonSeekableStream(bytes), CancellationToken.None);
        Assert.Equal(SmtpDeliveryStatus.Delivered, result.Status);
        var stored = Assert.Single(server.Store.Messages);
        Assert.True(stored.WasFileBacked);
        Assert.Equal(bytes, stored.Bytes);
    }

    /// <summary>A receiver holds the message from its reply to the data on: the caller hears the outcome before QUIT is sent.</summary>
    [Fact]
    public async Task The_outcome_is_handed_over_before_quit()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var commands = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var stream = new System.Net.Sockets.NetworkStream(socket);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await stream.WriteAsync("220 mx\r\n"u8.ToArray());
            var inData = false;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (inData)
                {
                    if (line != ".") continue;
                    inData = false;
                    await stream.WriteAsync("250 2.0.0 stored\r\n"u8.ToArray());
                    continue;
                }
                commands.Enqueue(line.Split(' ', ':')[0]);
                inData = line == "DATA";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(line == "DATA" ? "354 go on\r\n" : line == "QUIT" ? "221 bye\r\n" : "250 ok\r\n"));
                if (line == "QUIT") return;
            }
        });
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
        string[] seenAtOutcome = [];
        SmtpDeliveryStatus? handedOver = null;
        var result = await SmtpDeliveryClient.DeliverAsync(tcp.GetStream(), new SmtpClientOptions { HeloName = "o", TlsMode = SmtpTlsMode.None },
            "a@example.com", ["alice@example.com"], Message, CancellationToken.None, async outcome =>
            {
                await Task.Delay(200); // QUIT, had it been sent, would have reached the receiver by now
                seenAtOutcome = commands.ToArray();
                handedOver = outcome.Status;
            });
        await serving;
        listener.Stop();
        Assert.Equal(SmtpDeliveryStatus.Delivered, handedOver);
        Assert.Equal(["EHLO", "MAIL", "RCPT", "DATA"], seenAtOutcome);
        Assert.Equal(["EHLO", "MAIL", "RCPT", "DATA", "QUIT"], commands);
        Assert.Equal(SmtpDeliveryStatus.Delivered, result.Status);
    }

    [Fact]
    public async Task Server_that_hangs_up_gives_a_transient_failure()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var accept = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.SendAsync("220 mx\r\n"u8.ToArray());
            var buffer = new byte[100];
            await socket.ReceiveAsync(buffer);
        });
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
        var result = await SmtpDeliveryClient.DeliverAsync(tcp.GetStream(), new SmtpClientOptions { HeloName = "o", TlsMode = SmtpTlsMode.None },
            "a@example.com", ["alice@example.com"], Message, CancellationToken.None);
        await accept;
        listener.Stop();
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, result.Status);
        Assert.Null(result.Reply);
    }

    [Fact]
    public async Task Silent_server_times_out_as_a_transient_failure()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptSocketAsync();
        var result = await SmtpDeliveryClient.DeliverAsync(tcp.GetStream(), new SmtpClientOptions { HeloName = "o", Timeout = TimeSpan.FromMilliseconds(200) },
            "a@example.com", ["alice@example.com"], Message, CancellationToken.None);
        listener.Stop();
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, result.Status);
        Assert.StartsWith("Timed out", result.Message);
    }

    [Fact]
    public async Task Python_smtplib_delivers_to_the_server()
    {
        await using var server = new LoopbackServer(ServerOptions());
        const string script = """
            import smtplib, ssl, sys
            port = int(sys.argv[1])
            with smtplib.SMTP("127.0.0.1", port, local_hostname="py.example.net", timeout=20) as s:
                s.ehlo()
                assert s.has_extn("starttls") and s.has_extn("pipelining") and s.has_extn("smtputf8"), s.esmtp_features
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                s.starttls(context=ctx)
                s.ehlo()
                s.login("agent", "s3cret pass")
                refused = s.sendmail("py@example.net", ["alice@example.com", "nobody@example.com"],
                                     b"Subject: from python\r\n\r\n.line with dot\r\nbye\r\n")
                assert list(refused) == ["nobody@example.com"], refused
                try:
                    s.sendmail("py@example.net", ["x@example.com"], b"Subject: no\r\n\r\nno\r\n")
                    raise SystemExit("unknown mailbox was accepted")
                except smtplib.SMTPRecipientsRefused as e:
                    assert e.recipients["x@example.com"][0] == 550
                msg = "Subject: \u00fcber\r\n\r\nh\u00e9llo\r\n".encode("utf-8")
                s.sendmail("py@example.net", ["bob@example.com"], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
            print("ok")
            """;
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(server.Port.ToString());
        // CI installs python3; a missing interpreter is a failure, not a skip.
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, await error);
        Assert.Equal("ok", (await output).Trim());
        var messages = server.Store.Messages.ToArray();
        Assert.Equal(2, messages.Length);
        Assert.Equal("Subject: from python\r\n\r\n.line with dot\r\nbye\r\n", messages[0].Text);
        Assert.Equal(["alice@example.com"], messages[0].Envelope.Recipients);
        Assert.True(messages[0].Envelope.IsTls);
        Assert.Equal("agent", messages[0].Envelope.AuthenticatedUser);
        Assert.Equal("py.example.net", messages[0].Envelope.HeloName);
        Assert.True(messages[1].Envelope.SmtpUtf8);
        Assert.Contains("héllo", messages[1].Text);
    }

    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

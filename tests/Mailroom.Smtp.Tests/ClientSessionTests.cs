using System.Text;
using Mailroom.Smtp.Client;

namespace Mailroom.Smtp.Tests;

public sealed class ClientSessionTests
{
    private static readonly SmtpClientOptions Plain = new() { HeloName = "out.example.com", TlsMode = SmtpTlsMode.None };

    private static SmtpReply R(string wire) => SmtpReplyParser.Parse(wire.Replace("|", "\r\n") + "\r\n");

    private static SmtpClientSession Session(SmtpClientOptions? options = null, params string[] recipients) =>
        new(options ?? Plain, "sender@example.com", recipients.Length == 0 ? ["a@remote.test", "b@remote.test"] : recipients, 100, eightBitData: false, nonAsciiHeaders: false);

    [Fact]
    public void Pipelines_mail_rcpt_and_data_when_offered()
    {
        var session = Session();
        Assert.Equal(SmtpClientStepKind.ReadReply, session.Start().Kind);
        Assert.Equal(["EHLO out.example.com"], session.OnReply(R("220 mx")).Commands);
        var batch = session.OnReply(R("250-mx|250-PIPELINING|250-SIZE 1000|250 8BITMIME"));
        Assert.Equal(["MAIL FROM:<sender@example.com> SIZE=100", "RCPT TO:<a@remote.test>", "RCPT TO:<b@remote.test>", "DATA"], batch.Commands);
        Assert.Equal(SmtpClientStepKind.ReadReply, session.OnReply(R("250 2.1.0 ok")).Kind);
        Assert.Equal(SmtpClientStepKind.ReadReply, session.OnReply(R("250 2.1.5 ok")).Kind);
        Assert.Equal(SmtpClientStepKind.ReadReply, session.OnReply(R("550 5.1.1 no such user")).Kind);
        Assert.Equal(SmtpClientStepKind.SendMessage, session.OnReply(R("354 go")).Kind);
        Assert.Equal(SmtpClientStepKind.Done, session.OnReply(R("250 2.0.0 queued")).Kind);
        var result = session.Result!;
        Assert.Equal(SmtpDeliveryStatus.Delivered, result.Status);
        Assert.Equal(SmtpDeliveryStatus.Delivered, result.Recipients[0].Status);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, result.Recipients[1].Status);
        Assert.Equal("550 5.1.1 no such user", result.Recipients[1].Reply!.ToString());
        Assert.Equal(250, result.DataReply!.Code);
    }

    [Fact]
    public void Sends_one_command_at_a_time_without_pipelining_and_falls_back_to_helo()
    {
        var session = Session();
        session.Start();
        session.OnReply(R("220 mx"));
        Assert.Equal(["HELO out.example.com"], session.OnReply(R("502 5.5.1 no EHLO")).Commands);
        Assert.Equal(["MAIL FROM:<sender@example.com>"], session.OnReply(R("250 mx")).Commands);
        Assert.Equal(["RCPT TO:<a@remote.test>"], session.OnReply(R("250 ok")).Commands);
        Assert.Equal(["RCPT TO:<b@remote.test>"], session.OnReply(R("451 4.3.0 later")).Commands);
        Assert.Equal(["DATA"], session.OnReply(R("250 ok")).Commands);
        Assert.Equal(SmtpClientStepKind.SendMessage, session.OnReply(R("354 go")).Kind);
        session.OnReply(R("250 ok"));
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, session.Result!.Recipients[0].Status);
        Assert.Equal(SmtpDeliveryStatus.Delivered, session.Result.Recipients[1].Status);
    }

    [Fact]
    public void All_recipients_refused_ends_before_data()
    {
        var session = Session();
        session.Start();
        session.OnReply(R("220 mx"));
        session.OnReply(R("250 mx"));
        session.OnReply(R("250 ok"));
        session.OnReply(R("550 5.1.1 no"));
        Assert.Equal(SmtpClientStepKind.Done, session.OnReply(R("450 4.2.1 busy")).Kind);
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, session.Result!.Status);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, session.Result.Recipients[0].Status);
    }

    [Fact]
    public void Pipelined_354_after_all_recipients_failed_gets_an_empty_message()
    {
        var session = Session(null, "a@remote.test");
        session.Start();
        session.OnReply(R("220 mx"));
        session.OnReply(R("250-mx|250 PIPELINING"));
        session.OnReply(R("250 ok"));
        session.OnReply(R("550 5.1.1 no"));
        Assert.Equal(["."], session.OnReply(R("354 go")).Commands);
        Assert.Equal(SmtpClientStepKind.Done, session.OnReply(R("554 5.5.1 no valid recipients")).Kind);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, session.Result!.Status);
        Assert.Equal(550, session.Result.Reply!.Code);
    }

    [Fact]
    public void Refused_sender_decides_every_recipient_even_when_pipelined()
    {
        var session = Session();
        session.Start();
        session.OnReply(R("220 mx"));
        session.OnReply(R("250-mx|250 PIPELINING"));
        session.OnReply(R("451 4.7.1 greylisted"));
        session.OnReply(R("503 5.5.1 need MAIL"));
        session.OnReply(R("503 5.5.1 need MAIL"));
        session.OnReply(R("503 5.5.1 need MAIL"));
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, session.Result!.Status);
        Assert.All(session.Result.Recipients, r => Assert.Equal(SmtpDeliveryStatus.TransientFailure, r.Status));
    }

    [Theory]
    [InlineData("554 5.7.1 go away", SmtpDeliveryStatus.PermanentFailure)]
    [InlineData("421 4.3.2 busy", SmtpDeliveryStatus.TransientFailure)]
    public void Refused_greeting_is_classified(string greeting, SmtpDeliveryStatus status)
    {
        var session = Session();
        session.Start();
        Assert.Equal(SmtpClientStepKind.Done, session.OnReply(R(greeting)).Kind);
        Assert.Equal(status, session.Result!.Status);
    }

    [Fact]
    public void Starttls_required_but_not_offered_is_transient()
    {
        var session = Session(Plain with { TlsMode = SmtpTlsMode.StartTlsRequired });
        session.Start();
        session.OnReply(R("220 mx"));
        Assert.Equal(SmtpClientStepKind.Done, session.OnReply(R("250-mx|250 PIPELINING")).Kind);
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, session.Result!.Status);
    }

    [Fact]
    public void Opportunistic_tls_goes_on_in_clear_when_starttls_is_refused()
    {
        var session = Session(Plain with { TlsMode = SmtpTlsMode.StartTlsOpportunistic });
        session.Start();
        session.OnReply(R("220 mx"));
        Assert.Equal(["STARTTLS"], session.OnReply(R("250-mx|250 STARTTLS")).Commands);
        Assert.Equal(["MAIL FROM:<sender@example.com>"], session.OnReply(R("454 4.7.0 TLS not available")).Commands);
    }

    [Fact]
    public void Starttls_then_ehlo_again_then_auth_plain()
    {
        var session = Session(Plain with { TlsMode = SmtpTlsMode.StartTlsRequired, Credentials = new SmtpCredentials("u", "p") });
        session.Start();
        session.OnReply(R("220 mx"));
        session.OnReply(R("250-mx|250-AUTH LOGIN PLAIN|250 STARTTLS"));
        Assert.Equal(SmtpClientStepKind.StartTls, session.OnReply(R("220 2.0.0 go")).Kind);
        Assert.Equal(["EHLO out.example.com"], session.OnTlsEstablished().Commands);
        Assert.True(session.IsTls);
        var auth = session.OnReply(R("250-mx|250 AUTH LOGIN PLAIN"));
        Assert.Equal([$"AUTH PLAIN {Convert.ToBase64String(Encoding.UTF8.GetBytes("\0u\0p"))}"], auth.Commands);
        Assert.Equal(["MAIL FROM:<sender@example.com>"], session.OnReply(R("235 2.7.0 ok")).Commands);
    }

    [Fact]
    public void Auth_login_and_its_failure()
    {
        var session = Session(Plain with { Credentials = new SmtpCredentials("u", "p") });
        session.Start();
        session.OnReply(R("220 mx"));
        Assert.Equal(["AUTH LOGIN"], session.OnReply(R("250-mx|250 AUTH LOGIN")).Commands);
        Assert.Equal(["dQ=="], session.OnReply(R("334 VXNlcm5hbWU6")).Commands);
        Assert.Equal(["cA=="], session.OnReply(R("334 UGFzc3dvcmQ6")).Commands);
        Assert.Equal(SmtpClientStepKind.Done, session.OnReply(R("535 5.7.8 bad")).Kind);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, session.Result!.Status);
        Assert.DoesNotContain("p", new SmtpCredentials("u", "p").ToString().Replace("SmtpCredentials", "").Replace("UserName", ""));
    }

    [Fact]
    public void Message_larger_than_the_server_limit_is_not_sent()
    {
        var session = new SmtpClientSession(Plain, "s@example.com", ["a@remote.test"], 5000, false, false);
        session.Start();
        session.OnReply(R("220 mx"));
        Assert.Equal(SmtpClientStepKind.Done, session.OnReply(R("250-mx|250 SIZE 1000")).Kind);
        Assert.Equal(552, session.Result!.Reply!.Code);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, session.Result.Status);
    }

    [Fact]
    public void Utf8_addresses_need_smtputf8_and_eight_bit_bodies_declare_8bitmime()
    {
        var refused = new SmtpClientSession(Plain, "s@example.com", ["用户@remote.test"], 10, false, false);
        refused.Start();
        refused.OnReply(R("220 mx"));
        refused.OnReply(R("250-mx|250 8BITMIME"));
        Assert.Equal("5.6.7", refused.Result!.Reply!.EnhancedCode);

        var accepted = new SmtpClientSession(Plain, "s@example.com", ["用户@remote.test"], 10, true, false);
        accepted.Start();
        accepted.OnReply(R("220 mx"));
        Assert.Equal(["MAIL FROM:<s@example.com> BODY=8BITMIME SMTPUTF8"], accepted.OnReply(R("250-mx|250-8BITMIME|250 SMTPUTF8")).Commands);
    }

    [Fact]
    public void Fault_makes_undecided_recipients_transient()
    {
        var session = Session();
        session.Start();
        session.OnReply(R("220 mx"));
        session.OnReply(R("250 mx"));
        session.OnReply(R("250 ok"));
        session.OnReply(R("550 5.1.1 no"));
        var result = session.Fault("connection reset");
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, result.Status);
        Assert.Equal(SmtpDeliveryStatus.PermanentFailure, result.Recipients[0].Status);
        Assert.Equal(SmtpDeliveryStatus.TransientFailure, result.Recipients[1].Status);
        Assert.Equal("connection reset", result.Message);
    }

    [Theory]
    [InlineData("hello", "hello\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    [InlineData("a\nb\n", "a\r\nb\r\n.\r\n")]
    [InlineData("a\rb\r", "a\r\nb\r\n.\r\n")]
    [InlineData("a\r\n.b\r\n.\r\n", "a\r\n..b\r\n..\r\n.\r\n")]
    [InlineData(".\n..\n", "..\r\n...\r\n.\r\n")]
    [InlineData("x.\r\n", "x.\r\n.\r\n")]
    [InlineData("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n")]
    public void Data_encoder_normalizes_line_ends_and_stuffs_dots(string input, string expected)
    {
        foreach (var split in new[] { 1, 2, 100 })
        {
            var encoder = new SmtpDataEncoder();
            var bytes = Encoding.UTF8.GetBytes(input);
            var output = new List<byte>();
            for (var i = 0; i < bytes.Length; i += split)
            {
                var piece = bytes[i..Math.Min(bytes.Length, i + split)];
                var buffer = new byte[SmtpDataEncoder.MaxOutputLength(piece.Length)];
                output.AddRange(buffer[..encoder.Encode(piece, buffer)]);
            }
            var end = new byte[SmtpDataEncoder.FinishLength];
            output.AddRange(end[..encoder.Finish(end)]);
            Assert.Equal(expected, Encoding.UTF8.GetString(output.ToArray()));
        }
    }

    [Fact]
    public void Message_facts_find_eight_bit_data_and_non_ascii_headers()
    {
        using var headers = new MemoryStream(Encoding.UTF8.GetBytes("Subject: é\n\nbody"));
        Assert.Equal(new SmtpMessageFacts(21, true, true), SmtpMessageFacts.Scan(headers));
        using var body = new MemoryStream(Encoding.UTF8.GetBytes("Subject: x\r\n\r\né"));
        Assert.Equal(new SmtpMessageFacts(18, true, false), SmtpMessageFacts.Scan(body));
        Assert.Equal(0, body.Position);
    }
}

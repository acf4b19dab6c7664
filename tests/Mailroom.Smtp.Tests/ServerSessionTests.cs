using System.Text;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

public sealed class ServerSessionTests
{
    [Fact]
    public void Greeting_names_the_server()
    {
        using var harness = new SessionHarness();
        Assert.Equal("220 mx.example.com ESMTP Mailroom\r\n", harness.Session.Greet().ToWireFormat());
    }

    [Fact]
    public async Task Ehlo_lists_extensions_without_enhanced_codes()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { ServerName = "mx.example.com", MaxMessageSize = 1000 }, withAuthenticator: false);
        var reply = await harness.SendAsync("EHLO client.test\r\n");
        Assert.Equal(
            "250-mx.example.com Hello client.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n" +
            "250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250 HELP\r\n", reply);
        Assert.Equal("client.test", harness.Session.Info.HeloName);
        Assert.True(harness.Session.Info.IsExtended);
    }

    [Fact]
    public async Task Starttls_is_advertised_only_with_a_certificate()
    {
        using var withCertificate = new SessionHarness(new SmtpServerOptions { Certificate = TestCertificate.Instance });
        Assert.Contains("250-STARTTLS\r\n", await withCertificate.SendAsync("EHLO c\r\n"));
        using var without = new SessionHarness(new SmtpServerOptions());
        Assert.DoesNotContain("STARTTLS", await without.SendAsync("EHLO c\r\n"));
        Assert.Equal("502 5.5.1 Command not implemented\r\n", await without.SendAsync("STARTTLS\r\n"));
    }

    [Fact]
    public async Task Auth_is_advertised_only_under_tls_by_default()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { Certificate = TestCertificate.Instance });
        Assert.DoesNotContain("AUTH", await harness.SendAsync("EHLO c\r\n"));
        Assert.Equal("538 5.7.11 Encryption required for requested authentication mechanism\r\n", await harness.SendAsync("AUTH PLAIN\r\n"));
        Assert.Equal("220 2.0.0 Ready to start TLS\r\n", await harness.SendAsync("STARTTLS\r\n"));
        Assert.Equal(SmtpSessionAction.StartTls, harness.LastAction);
        harness.Session.TlsEstablished();
        var ehlo = await harness.SendAsync("EHLO c\r\n");
        Assert.Contains("250-AUTH PLAIN LOGIN\r\n", ehlo);
        Assert.DoesNotContain("STARTTLS", ehlo);
        Assert.Equal("503 5.5.1 TLS already active\r\n", await harness.SendAsync("STARTTLS\r\n"));
    }

    [Fact]
    public async Task Starttls_forgets_the_session_and_drops_bytes_sent_before_the_handshake()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { Certificate = TestCertificate.Instance });
        await harness.SendAsync("EHLO c\r\n");
        // Commands injected after STARTTLS in the same packet must never run (CVE-2011-0411).
        var reply = await harness.SendAsync("STARTTLS\r\nMAIL FROM:<evil@remote.test>\r\n");
        Assert.Equal("220 2.0.0 Ready to start TLS\r\n", reply);
        harness.Session.TlsEstablished();
        Assert.Equal(SmtpState.Connected, harness.Session.State);
        Assert.Null(harness.Session.Info.HeloName);
        Assert.True(harness.Session.Info.IsTls);
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("MAIL FROM:<a@remote.test>\r\n"));
    }

    [Fact]
    public async Task Helo_greets_without_extensions_and_refuses_parameters()
    {
        using var harness = new SessionHarness();
        Assert.Equal("250 mx.example.com Hello old.client\r\n", await harness.SendAsync("HELO old.client\r\n"));
        Assert.False(harness.Session.Info.IsExtended);
        Assert.Equal("555 5.5.4 Parameter SIZE=10 not recognized\r\n", await harness.SendAsync("MAIL FROM:<a@remote.test> SIZE=10\r\n"));
        Assert.Equal("250 2.1.0 Sender OK\r\n", await harness.SendAsync("MAIL FROM:<a@remote.test>\r\n"));
    }

    [Theory]
    [InlineData("EHLO\r\n", "501 5.5.4 Syntax: EHLO domain\r\n")]
    [InlineData("HELO\r\n", "501 5.5.4 Syntax: HELO domain\r\n")]
    [InlineData("VRFY\r\n", "501 5.5.4 Syntax: VRFY address\r\n")]
    [InlineData("QUIT now\r\n", "501 5.5.4 Syntax: QUIT\r\n")]
    [InlineData("STARTTLS\r\n", "503 5.5.1 Bad sequence of commands\r\n")]
    [InlineData("EXPN staff\r\n", "500 5.5.2 Command not recognized\r\n")]
    [InlineData("\r\n", "500 5.5.2 Command not recognized\r\n")]
    [InlineData("MAIL FROM:<a@remote.test>\r\n", "503 5.5.1 Bad sequence of commands\r\n")]
    [InlineData("VRFY alice\r\n", "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\r\n")]
    [InlineData("NOOP anything\r\n", "250 2.0.0 OK\r\n")]
    [InlineData("HELP\r\n", "214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\r\n214 2.0.0 See RFC 5321\r\n")]
    [InlineData("RSET\r\n", "250 2.0.0 OK\r\n")]
    public async Task Commands_before_ehlo(string line, string expected)
    {
        using var harness = new SessionHarness();
        Assert.Equal(expected, await harness.SendAsync(line));
    }

    [Fact]
    public async Task Quit_closes()
    {
        using var harness = new SessionHarness();
        Assert.Equal("221 2.0.0 Bye\r\n", await harness.SendAsync("QUIT\r\nNOOP\r\n"));
        Assert.Equal(SmtpSessionAction.Close, harness.LastAction);
        Assert.Equal(SmtpState.Closed, harness.Session.State);
    }

    [Theory]
    [InlineData("MAIL TO:<a@remote.test>", "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]")]
    [InlineData("MAIL FROM:a@remote.test", "501 5.1.7 Bad sender address syntax")]
    [InlineData("MAIL FROM:<a@@remote.test>", "501 5.1.7 Bad sender address syntax")]
    [InlineData("MAIL FROM:<a@remote.test> SIZE=1 SIZE=2", "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]")]
    [InlineData("MAIL FROM:<a@remote.test> SIZE=abc", "501 5.5.4 Syntax: SIZE=<octets>")]
    [InlineData("MAIL FROM:<a@remote.test> SIZE=1001", "552 5.3.4 Message size exceeds fixed maximum message size")]
    [InlineData("MAIL FROM:<a@remote.test> RET=FULL", "555 5.5.4 Parameter RET=FULL not recognized")]
    [InlineData("MAIL FROM:<a@remote.test> BODY=BINARYMIME", "555 5.5.4 Parameter BODY=BINARYMIME not recognized")]
    [InlineData("MAIL FROM:<a@remote.test> SMTPUTF8=yes", "555 5.5.4 Parameter SMTPUTF8=yes not recognized")]
    [InlineData("MAIL FROM:<a@remote.test> XFOO", "555 5.5.4 Parameter XFOO not recognized")]
    [InlineData("MAIL FROM:<ü@remote.test>", "553 5.6.7 Non-ASCII address requires SMTPUTF8")]
    [InlineData("MAIL FROM:<a@remote.test>", "250 2.1.0 Sender OK")]
    [InlineData("mail from: <a@remote.test>", "250 2.1.0 Sender OK")]
    [InlineData("MAIL FROM:<>", "250 2.1.0 Sender OK")]
    [InlineData("MAIL FROM:<a@remote.test> SIZE=1000 BODY=8BITMIME", "250 2.1.0 Sender OK")]
    [InlineData("MAIL FROM:<a@remote.test> BODY=7BIT", "250 2.1.0 Sender OK")]
    [InlineData("MAIL FROM:<ü@remote.test> SMTPUTF8", "250 2.1.0 Sender OK")]
    [InlineData("MAIL FROM:<a@remote.test> AUTH=<>", "250 2.1.0 Sender OK")]
    public async Task Mail_from(string line, string expected)
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxMessageSize = 1000, AllowAuthWithoutTls = true });
        await harness.SendAsync("EHLO client.test\r\n");
        Assert.Equal(expected + "\r\n", await harness.SendAsync(line + "\r\n"));
        Assert.Equal(expected.StartsWith("250") ? SmtpState.MailFrom : SmtpState.Greeted, harness.Session.State);
    }

    [Fact]
    public async Task A_second_mail_inside_a_transaction_is_out_of_sequence()
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\n");
        await harness.SendAsync("MAIL FROM:<a@remote.test>\r\n");
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("MAIL FROM:<b@remote.test>\r\n"));
    }

    [Theory]
    [InlineData("RCPT TO:<alice@example.com>", "250 2.1.5 Recipient OK")]
    [InlineData("rcpt to:<ALICE@example.com>", "250 2.1.5 Recipient OK")]
    [InlineData("RCPT TO:<postmaster>", "250 2.1.5 Recipient OK")]
    [InlineData("RCPT TO:<@hop.test:alice@example.com>", "250 2.1.5 Recipient OK")]
    [InlineData("RCPT TO:<nobody@example.com>", "550 5.1.1 Mailbox unavailable")]
    [InlineData("RCPT TO:<someone@elsewhere.test>", "550 5.7.1 Relay access denied")]
    [InlineData("RCPT TO:<>", "501 5.1.3 Bad recipient address syntax")]
    [InlineData("RCPT TO:alice@example.com", "501 5.1.3 Bad recipient address syntax")]
    [InlineData("RCPT FROM:<alice@example.com>", "501 5.5.4 Syntax: RCPT TO:<address>")]
    [InlineData("RCPT TO:<alice@example.com> NOTIFY=NEVER", "555 5.5.4 Parameter NOTIFY=NEVER not recognized")]
    [InlineData("RCPT TO:<alice@example.com> ==", "501 5.5.4 Syntax: RCPT TO:<address>")]
    [InlineData("RCPT TO:<用户@example.com>", "553 5.6.7 Non-ASCII address requires SMTPUTF8")]
    public async Task Rcpt_to(string line, string expected)
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\nMAIL FROM:<a@remote.test>\r\n");
        Assert.Equal(expected + "\r\n", await harness.SendAsync(line + "\r\n"));
        Assert.Equal(expected.StartsWith("250") ? SmtpState.RcptTo : SmtpState.MailFrom, harness.Session.State);
    }

    [Fact]
    public async Task Utf8_recipient_with_smtputf8()
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\nMAIL FROM:<a@remote.test> SMTPUTF8\r\n");
        Assert.Equal("250 2.1.5 Recipient OK\r\n", await harness.SendAsync("RCPT TO:<用户@example.com>\r\n"));
        await harness.SendAsync("DATA\r\nSubject: 你好\r\n\r\nbody\r\n.\r\n");
        var message = Assert.Single(harness.Store.Messages);
        Assert.True(message.Envelope.SmtpUtf8);
        Assert.Equal(["用户@example.com"], message.Envelope.Recipients);
        Assert.Contains("你好", message.Text);
    }

    [Fact]
    public async Task Policy_temporary_failure_and_exception_give_451()
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\nMAIL FROM:<a@remote.test>\r\n");
        harness.Policy.FailTemporarily = true;
        Assert.Equal("451 4.3.0 Temporary failure, try again later\r\n", await harness.SendAsync("RCPT TO:<alice@example.com>\r\n"));
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("DATA\r\n"));
    }

    [Fact]
    public async Task Relay_is_never_open_but_an_authenticated_client_may_relay_through_the_policy()
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\nMAIL FROM:<a@remote.test>\r\n");
        Assert.StartsWith("550 5.7.1", await harness.SendAsync("RCPT TO:<x@elsewhere.test>\r\n"));
        Assert.StartsWith("503", await harness.SendAsync("DATA\r\n"));
        Assert.Empty(harness.Store.Messages);

        await harness.SendAsync("RSET\r\n");
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0agent\0s3cret pass"));
        Assert.Equal("235 2.7.0 Authentication successful\r\n", await harness.SendAsync($"AUTH PLAIN {credentials}\r\n"));
        Assert.Equal("agent", harness.Session.Info.AuthenticatedUser);
        await harness.SendAsync("MAIL FROM:<agent@example.com>\r\n");
        Assert.StartsWith("250 2.1.5", await harness.SendAsync("RCPT TO:<x@elsewhere.test>\r\n"));
    }

    [Fact]
    public async Task Data_stores_the_message_and_answers_with_the_store_reply()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        await harness.SendAsync("RCPT TO:<bob@example.com>\r\nRCPT TO:<Alice@example.com>\r\n");
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>\r\n", await harness.SendAsync("DATA\r\n"));
        var reply = await harness.SendAsync("Subject: hi\r\n\r\n..leading dot\r\n.\r\n");
        Assert.Equal("250 2.0.0 OK: queued as msg_1\r\n", reply);
        var message = Assert.Single(harness.Store.Messages);
        Assert.Equal("Subject: hi\r\n\r\n.leading dot\r\n", message.Text);
        Assert.Equal("sender@remote.test", message.Envelope.ReversePath);
        Assert.Equal(["alice@example.com", "bob@example.com"], message.Envelope.Recipients);
        Assert.Equal("client.test", message.Envelope.HeloName);
        Assert.False(message.Envelope.IsTls);
        Assert.False(message.Envelope.Chunked);
        Assert.Equal(harness.Session.Info.SessionId, message.Envelope.SessionId);
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
    }

    [Fact]
    public async Task Envelope_records_declared_parameters()
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\nMAIL FROM:<> SIZE=5 BODY=8BITMIME\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
        await harness.SendAsync("\u00e9\r\n.\r\n");
        var envelope = Assert.Single(harness.Store.Messages).Envelope;
        Assert.Equal("", envelope.ReversePath);
        Assert.Equal(SmtpBodyType.EightBitMime, envelope.BodyType);
        Assert.Equal(5, envelope.DeclaredSize);
    }

    [Fact]
    public async Task Empty_message_is_stored()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 OK: queued as msg_1\r\n", await harness.SendAsync("DATA\r\n.\r\n"));
        Assert.Empty(Assert.Single(harness.Store.Messages).Bytes);
    }

    [Fact]
    public async Task Store_failure_reply_is_passed_on_and_the_transaction_ends()
    {
        using var harness = new SessionHarness();
        harness.Store.Failure = new SmtpReply(452, "4.3.1", "Insufficient system storage");
        await harness.StartTransactionAsync();
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>\r\n452 4.3.1 Insufficient system storage\r\n", await harness.SendAsync("DATA\r\nx\r\n.\r\n"));
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("RCPT TO:<alice@example.com>\r\n"));
    }

    [Fact]
    public async Task Store_exception_gives_451_and_nothing_is_acknowledged()
    {
        using var harness = new SessionHarness();
        harness.Store.Throw = true;
        await harness.StartTransactionAsync();
        Assert.EndsWith("451 4.3.0 Temporary failure, try again later\r\n", await harness.SendAsync("DATA\r\nx\r\n.\r\n"));
    }

    [Theory]
    [InlineData("DATA now\r\n", "501 5.5.4 Syntax: DATA\r\n")]
    [InlineData("RSET now\r\n", "501 5.5.4 Syntax: RSET\r\n")]
    public async Task Data_and_rset_take_no_arguments(string line, string expected)
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.Equal(expected, await harness.SendAsync(line));
        Assert.Equal(SmtpState.RcptTo, harness.Session.State);
    }

    [Fact]
    public async Task Rset_clears_the_envelope()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.Equal("250 2.0.0 OK\r\n", await harness.SendAsync("RSET\r\n"));
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("DATA\r\n"));
        await harness.SendAsync("MAIL FROM:<second@remote.test>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nx\r\n.\r\n");
        var envelope = Assert.Single(harness.Store.Messages).Envelope;
        Assert.Equal("second@remote.test", envelope.ReversePath);
        Assert.Equal(["bob@example.com"], envelope.Recipients);
    }

    [Fact]
    public async Task Ehlo_inside_a_transaction_resets_it()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        await harness.SendAsync("EHLO again\r\n");
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
        Assert.StartsWith("503", await harness.SendAsync("RCPT TO:<alice@example.com>\r\n"));
    }

    [Fact]
    public async Task Auth_plain_with_challenge_and_auth_login()
    {
        using var plain = new SessionHarness();
        await plain.SendAsync("EHLO c\r\n");
        Assert.Equal("334 \r\n", await plain.SendAsync("AUTH PLAIN\r\n"));
        Assert.Equal("235 2.7.0 Authentication successful\r\n", await plain.SendAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("agent\0agent\0s3cret pass")) + "\r\n"));
        Assert.Equal("503 5.5.1 Already authenticated\r\n", await plain.SendAsync("AUTH PLAIN\r\n"));

        using var login = new SessionHarness();
        await login.SendAsync("EHLO c\r\n");
        Assert.Equal("334 VXNlcm5hbWU6\r\n", await login.SendAsync("AUTH LOGIN\r\n"));
        Assert.Equal("334 UGFzc3dvcmQ6\r\n", await login.SendAsync("YWdlbnQ=\r\n"));
        Assert.Equal("235 2.7.0 Authentication successful\r\n", await login.SendAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("s3cret pass")) + "\r\n"));

        using var loginInitial = new SessionHarness();
        await loginInitial.SendAsync("EHLO c\r\n");
        Assert.Equal("334 UGFzc3dvcmQ6\r\n", await loginInitial.SendAsync("AUTH LOGIN YWdlbnQ=\r\n"));
        Assert.Equal("535 5.7.8 Authentication credentials invalid\r\n", await loginInitial.SendAsync("d3Jvbmc=\r\n"));
        Assert.Null(loginInitial.Session.Info.AuthenticatedUser);
    }

    [Theory]
    [InlineData("AUTH CRAM-MD5\r\n", "504 5.5.4 Unrecognized authentication mechanism\r\n")]
    [InlineData("AUTH\r\n", "501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n")]
    [InlineData("AUTH PLAIN !!!\r\n", "501 5.5.2 Cannot decode response\r\n")]
    [InlineData("AUTH PLAIN =\r\n", "535 5.7.8 Authentication credentials invalid\r\n")]
    [InlineData("AUTH PLAIN AGFnZW50AHdyb25n\r\n", "535 5.7.8 Authentication credentials invalid\r\n")]
    [InlineData("AUTH PLAIN\r\n*\r\n", "334 \r\n501 5.7.0 Authentication cancelled\r\n")]
    public async Task Auth_errors(string lines, string expected)
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\n");
        Assert.Equal(expected, await harness.SendAsync(lines));
        Assert.Null(harness.Session.Info.AuthenticatedUser);
        Assert.Equal("250 2.0.0 OK\r\n", await harness.SendAsync("NOOP\r\n"));
    }

    [Fact]
    public async Task Auth_without_an_authenticator_is_not_implemented()
    {
        using var harness = new SessionHarness(withAuthenticator: false);
        await harness.SendAsync("EHLO c\r\n");
        Assert.Equal("502 5.5.1 Command not implemented\r\n", await harness.SendAsync("AUTH PLAIN\r\n"));
    }

    [Fact]
    public async Task Auth_is_refused_inside_a_transaction()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("AUTH PLAIN\r\n"));
    }

    [Theory]
    [InlineData(SmtpTimeLimit.Idle, "421 4.4.2 Idle timeout, closing connection\r\n")]
    [InlineData(SmtpTimeLimit.SessionDuration, "421 4.4.2 Session time limit reached, closing connection\r\n")]
    [InlineData(SmtpTimeLimit.DataRate, "421 4.4.2 Data rate too low, closing connection\r\n")]
    public void Timed_out_session_closes_with_421(SmtpTimeLimit limit, string reply)
    {
        using var harness = new SessionHarness();
        Assert.Equal(reply, harness.Session.TimedOut(limit).ToWireFormat());
        Assert.Equal(SmtpState.Closed, harness.Session.State);
    }
}

using System.Text;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

public sealed class LimitsAndPipeliningTests
{
    [Fact]
    public async Task Pipelined_commands_are_answered_in_order_in_one_batch()
    {
        using var harness = new SessionHarness();
        var replies = await harness.SendAsync(
            "EHLO c\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<nobody@example.com>\r\n" +
            "RCPT TO:<bob@example.com>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n");
        var codes = replies.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(l => l[3] == ' ').Select(l => l[..3]);
        Assert.Equal(["250", "250", "250", "550", "250", "354", "250", "221"], codes);
        Assert.Equal(SmtpSessionAction.Close, harness.LastAction);
        Assert.Equal(["alice@example.com", "bob@example.com"], Assert.Single(harness.Store.Messages).Envelope.Recipients);
    }

    [Fact]
    public async Task Pipelined_data_after_refused_recipients_is_read_as_commands_and_refused()
    {
        using var harness = new SessionHarness();
        var replies = await harness.SendAsync("EHLO c\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\n");
        Assert.EndsWith("550 5.1.1 Mailbox unavailable\r\n503 5.5.1 Bad sequence of commands\r\n", replies);
        Assert.Empty(harness.Store.Messages);
    }

    [Fact]
    public async Task Commands_split_across_reads_are_assembled()
    {
        using var harness = new SessionHarness();
        Assert.StartsWith("250-mx.example.com", await harness.SendInPiecesAsync("EHLO client.test\r\nNOOP\r\n", 1));
    }

    [Fact]
    public async Task Too_many_recipients_get_452()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxRecipients = 2 });
        harness.Policy.Mailboxes.Add("carol@example.com");
        await harness.SendAsync("EHLO c\r\nMAIL FROM:<s@remote.test>\r\n");
        var replies = await harness.SendAsync("RCPT TO:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\n");
        Assert.EndsWith("250 2.1.5 Recipient OK\r\n452 4.5.3 Too many recipients\r\n", replies);
        await harness.SendAsync("DATA\r\nx\r\n.\r\n");
        Assert.Equal(2, Assert.Single(harness.Store.Messages).Envelope.Recipients.Count);
    }

    [Fact]
    public async Task Command_line_too_long_gets_500_and_its_tail_is_not_a_command()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxCommandLineLength = 20 });
        Assert.Equal("250 2.0.0 OK\r\n", await harness.SendAsync("NOOP 1234567890123\r\n"));
        Assert.Equal("500 5.5.6 Line too long\r\n", await harness.SendAsync("NOOP 12345678901234\r\n"));
        Assert.Equal("", await harness.SendAsync("NOOP " + new string('x', 30)));
        Assert.Equal("", await harness.SendAsync(" QUIT"));
        Assert.Equal("500 5.5.6 Line too long\r\n250 2.0.0 OK\r\n", await harness.SendAsync("\r\nNOOP\r\n"));
        Assert.NotEqual(SmtpState.Closed, harness.Session.State);
    }

    [Theory]
    [InlineData("NOOP\n")]
    [InlineData("NOOP\rQUIT\r\n")]
    [InlineData("\n")]
    public async Task Bare_line_breaks_in_commands_are_refused(string line)
    {
        using var harness = new SessionHarness();
        Assert.Equal("500 5.5.2 Bare CR or LF not allowed in commands\r\n", await harness.SendAsync(line));
        Assert.NotEqual(SmtpState.Closed, harness.Session.State);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_command_is_refused()
    {
        using var harness = new SessionHarness();
        Assert.Equal("500 5.5.2 Command is not valid UTF-8\r\n", await harness.SendAsync([.. "NOOP "u8, 0xC3, 0x28, (byte)'\r', (byte)'\n']));
    }

    [Theory]
    [InlineData("EHLO client\0.test\r\n")]
    [InlineData("HELO client\0.test\r\n")]
    [InlineData("EHLO client.test\u001B[2J\r\n")]
    [InlineData("EHLO client\tname\r\n")]
    [InlineData("EHLO client.test\u007F\r\n")]
    public async Task Control_characters_in_a_greeting_are_refused_not_echoed(string line)
    {
        using var harness = new SessionHarness();
        Assert.Equal("501 5.5.4 Control characters not allowed in commands\r\n", await harness.SendAsync(line));
        Assert.Equal(SmtpState.Connected, harness.Session.State);
        Assert.Null(harness.Session.Info.HeloName);
    }

    [Fact]
    public async Task Control_characters_in_mail_parameters_are_refused_not_echoed()
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\n");
        Assert.Equal("501 5.5.4 Control characters not allowed in commands\r\n", await harness.SendAsync("MAIL FROM:<s@remote.test> X\0=1\r\n"));
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
    }

    [Fact]
    public async Task Too_many_bad_commands_close_with_421()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxBadCommands = 3 });
        var replies = await harness.SendAsync("FOO\r\nMAIL FROM:<a@b.test>\r\nBAR\r\nNOOP\r\n");
        Assert.Equal("500 5.5.2 Command not recognized\r\n503 5.5.1 Bad sequence of commands\r\n500 5.5.2 Command not recognized\r\n421 4.7.0 Too many errors, closing connection\r\n", replies);
        Assert.Equal(SmtpSessionAction.Close, harness.LastAction);
    }

    [Fact]
    public async Task Failed_authentications_count_as_bad_commands()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxBadCommands = 2, AllowAuthWithoutTls = true });
        await harness.SendAsync("EHLO c\r\n");
        var replies = await harness.SendAsync("AUTH PLAIN AGEAYg==\r\nAUTH PLAIN AGEAYg==\r\n");
        Assert.EndsWith("535 5.7.8 Authentication credentials invalid\r\n421 4.7.0 Too many errors, closing connection\r\n", replies);
    }

    [Fact]
    public async Task Too_many_commands_close_with_421()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxCommands = 3 });
        var replies = await harness.SendAsync("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
        Assert.Equal("250 2.0.0 OK\r\n250 2.0.0 OK\r\n250 2.0.0 OK\r\n421 4.7.0 Too many commands, closing connection\r\n", replies);
        Assert.Equal(SmtpSessionAction.Close, harness.LastAction);
    }

    [Fact]
    public async Task Auth_lines_may_be_longer_than_command_lines()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxCommandLineLength = 40, AllowAuthWithoutTls = true });
        await harness.SendAsync("EHLO c\r\nAUTH PLAIN\r\n");
        var longResponse = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0agent\0" + new string('p', 100)));
        Assert.Equal("535 5.7.8 Authentication credentials invalid\r\n", await harness.SendAsync(longResponse + "\r\n"));
    }
}

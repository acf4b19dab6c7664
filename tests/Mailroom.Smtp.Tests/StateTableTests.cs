using System.Text;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

public sealed class StateTableTests
{
    private static readonly string PlainCredentials = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0agent\0s3cret pass"));

    /// <summary>A valid instance of each command, so only the state decides the answer.</summary>
    private static readonly Dictionary<SmtpVerb, string> Commands = new()
    {
        [SmtpVerb.Ehlo] = "EHLO client.test\r\n",
        [SmtpVerb.Helo] = "HELO client.test\r\n",
        [SmtpVerb.StartTls] = "STARTTLS\r\n",
        [SmtpVerb.Auth] = $"AUTH PLAIN {PlainCredentials}\r\n",
        [SmtpVerb.Mail] = "MAIL FROM:<sender@remote.test>\r\n",
        [SmtpVerb.Rcpt] = "RCPT TO:<bob@example.com>\r\n",
        [SmtpVerb.Data] = "DATA\r\n",
        [SmtpVerb.Bdat] = "BDAT 0\r\n",
        [SmtpVerb.Rset] = "RSET\r\n",
        [SmtpVerb.Noop] = "NOOP\r\n",
        [SmtpVerb.Vrfy] = "VRFY alice\r\n",
        [SmtpVerb.Help] = "HELP\r\n",
        [SmtpVerb.Quit] = "QUIT\r\n",
    };

    public static TheoryData<SmtpState, SmtpVerb> EveryStateAndCommand()
    {
        var data = new TheoryData<SmtpState, SmtpVerb>();
        foreach (var state in SmtpStateTable.States)
        {
            foreach (var verb in Enum.GetValues<SmtpVerb>())
            {
                data.Add(state, verb);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStateAndCommand))]
    public async Task Every_command_in_every_state_follows_the_table(SmtpState state, SmtpVerb verb)
    {
        using var harness = new SessionHarness(new SmtpServerOptions
        {
            ServerName = "mx.example.com",
            AllowAuthWithoutTls = true,
            Certificate = TestCertificate.Instance,
        });
        await DriveToAsync(harness, state);
        Assert.Equal(state, harness.Session.State);

        var reply = await harness.SendAsync(Commands[verb]);

        var next = SmtpStateTable.Next(state, verb);
        if (next is null)
        {
            Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", reply);
            Assert.Equal(state, harness.Session.State);
        }
        else
        {
            Assert.True(reply.Length == 0 || reply[0] is '2' or '3', $"{verb} in {state}: {reply}");
            Assert.Equal(next, harness.Session.State);
        }
    }

    [Fact]
    public void Table_has_a_cell_for_every_command_and_state()
    {
        foreach (var verb in Enum.GetValues<SmtpVerb>())
        {
            foreach (var state in SmtpStateTable.States)
            {
                _ = SmtpStateTable.Next(state, verb);
            }
            Assert.Null(SmtpStateTable.Next(SmtpState.Closed, verb));
        }
    }

    [Fact]
    public void A_mail_transaction_follows_the_table_from_greeting_to_quit()
    {
        var state = SmtpState.Connected;
        foreach (var verb in new[] { SmtpVerb.Ehlo, SmtpVerb.Mail, SmtpVerb.Rcpt, SmtpVerb.Rcpt, SmtpVerb.Data, SmtpVerb.Mail, SmtpVerb.Rcpt, SmtpVerb.Bdat, SmtpVerb.Bdat, SmtpVerb.Quit })
        {
            state = SmtpStateTable.Next(state, verb) ?? throw new Xunit.Sdk.XunitException($"{verb} refused in {state}");
        }
        Assert.Equal(SmtpState.Closed, state);
    }

    private static async Task DriveToAsync(SessionHarness harness, SmtpState state)
    {
        if (state == SmtpState.Connected)
        {
            return;
        }
        await harness.SendAsync("EHLO client.test\r\n");
        if (state == SmtpState.Greeted)
        {
            return;
        }
        await harness.SendAsync("MAIL FROM:<sender@remote.test>\r\n");
        if (state == SmtpState.MailFrom)
        {
            return;
        }
        await harness.SendAsync("RCPT TO:<alice@example.com>\r\n");
        if (state == SmtpState.RcptTo)
        {
            return;
        }
        Assert.Equal("250 2.0.0 3 octets received\r\n", await harness.SendAsync("BDAT 3\r\nabc"));
    }
}

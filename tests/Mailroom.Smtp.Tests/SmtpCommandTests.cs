namespace Mailroom.Smtp.Tests;

public sealed class SmtpCommandTests
{
    [Theory]
    [InlineData("EHLO x", SmtpVerb.Ehlo)]
    [InlineData("ehlo x", SmtpVerb.Ehlo)]
    [InlineData("HeLo x", SmtpVerb.Helo)]
    [InlineData("mail FROM:<>", SmtpVerb.Mail)]
    [InlineData("RCPT TO:<a@b>", SmtpVerb.Rcpt)]
    [InlineData("data", SmtpVerb.Data)]
    [InlineData("BDAT 10 LAST", SmtpVerb.Bdat)]
    [InlineData("rset", SmtpVerb.Rset)]
    [InlineData("NOOP", SmtpVerb.Noop)]
    [InlineData("QUIT", SmtpVerb.Quit)]
    [InlineData("VRFY bob", SmtpVerb.Vrfy)]
    [InlineData("HELP", SmtpVerb.Help)]
    [InlineData("starttls", SmtpVerb.StartTls)]
    [InlineData("AUTH PLAIN", SmtpVerb.Auth)]
    public void Verbs_are_case_insensitive(string line, SmtpVerb verb)
    {
        Assert.Equal(verb, SmtpCommand.Parse(line).Verb);
    }

    [Theory]
    [InlineData("EXPN list")]
    [InlineData("")]
    [InlineData("MAILFROM:<a@b>")]
    [InlineData("GET / HTTP/1.1")]
    public void Unknown_verbs_have_no_verb(string line)
    {
        Assert.Null(SmtpCommand.Parse(line).Verb);
    }

    [Fact]
    public void Arguments_are_the_rest_of_the_line_trimmed()
    {
        var command = SmtpCommand.Parse("MAIL FROM:<a@b.test> SIZE=10  ");
        Assert.Equal("MAIL", command.Name);
        Assert.Equal("FROM:<a@b.test> SIZE=10", command.Arguments);
    }

    [Theory]
    [InlineData("<alice@example.com>", "alice@example.com", "")]
    [InlineData("<alice@example.com> SIZE=100 BODY=8BITMIME", "alice@example.com", "SIZE=100 BODY=8BITMIME")]
    [InlineData("<\"john doe\"@example.com>", "\"john doe\"@example.com", "")]
    [InlineData("<\"a>b\"@example.com>", "\"a>b\"@example.com", "")]
    [InlineData("<@relay.test,@other.test:alice@example.com>", "alice@example.com", "")]
    [InlineData("<用户@例子.广告>", "用户@例子.广告", "")]
    [InlineData("<user@[192.0.2.1]>", "user@[192.0.2.1]", "")]
    [InlineData("<user@[IPv6:2001:db8::1]>", "user@[IPv6:2001:db8::1]", "")]
    [InlineData("<a.b+tag@sub.example.com>", "a.b+tag@sub.example.com", "")]
    public void Paths_parse(string text, string address, string parameters)
    {
        Assert.True(SmtpAddress.TryParsePath(text, allowNull: false, allowPostmaster: false, out var parsed, out var rest));
        Assert.Equal(address, parsed);
        Assert.Equal(parameters, rest);
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("<alice@example.com")]
    [InlineData("<alice>")]
    [InlineData("<@example.com>")]
    [InlineData("<alice@>")]
    [InlineData("<.alice@example.com>")]
    [InlineData("<al..ice@example.com>")]
    [InlineData("<alice@exa mple.com>")]
    [InlineData("<alice@-example.com>")]
    [InlineData("<alice@example..com>")]
    [InlineData("<a\"b@example.com>")]
    [InlineData("<alice@[300.1.1.1]>")]
    [InlineData("<alice@example.com>SIZE=1")]
    [InlineData("<@relay:alice@example.com>x")]
    [InlineData("<>")]
    public void Bad_paths_are_refused(string text)
    {
        Assert.False(SmtpAddress.TryParsePath(text, allowNull: false, allowPostmaster: false, out _, out _));
    }

    [Fact]
    public void Null_path_and_postmaster_only_where_allowed()
    {
        Assert.True(SmtpAddress.TryParsePath("<>", allowNull: true, allowPostmaster: false, out var empty, out _));
        Assert.Equal("", empty);
        Assert.True(SmtpAddress.TryParsePath("<Postmaster>", allowNull: false, allowPostmaster: true, out var postmaster, out _));
        Assert.Equal("Postmaster", postmaster);
        Assert.False(SmtpAddress.TryParsePath("<Postmaster>", allowNull: true, allowPostmaster: false, out _, out _));
    }

    [Fact]
    public void Parameters_parse_case_insensitively()
    {
        Assert.True(SmtpAddress.TryParseParameters("size=10 SMTPUTF8 body=8BITMIME", out var parameters));
        Assert.Equal("10", parameters["SIZE"]);
        Assert.Null(parameters["smtputf8"]);
        Assert.Equal("8BITMIME", parameters["BODY"]);
    }

    [Theory]
    [InlineData("SIZE=1 SIZE=2")]
    [InlineData("=1")]
    [InlineData("SIZE=")]
    [InlineData("-X=1")]
    [InlineData("SI_ZE=1")]
    public void Bad_parameters_are_refused(string text)
    {
        Assert.False(SmtpAddress.TryParseParameters(text, out _));
    }
}

namespace Mailroom.Smtp.Tests;

public sealed class SmtpReplyTests
{
    [Fact]
    public void Single_line_reply_carries_its_enhanced_code()
    {
        Assert.Equal("250 2.1.5 Recipient OK\r\n", SmtpReplies.RecipientOk.ToWireFormat());
    }

    [Fact]
    public void Multi_line_reply_uses_dash_until_the_last_line()
    {
        var reply = new SmtpReply(250, null, "mx Hello", "PIPELINING", "SIZE 10");
        Assert.Equal("250-mx Hello\r\n250-PIPELINING\r\n250 SIZE 10\r\n", reply.ToWireFormat());
    }

    [Fact]
    public void Enhanced_code_repeats_on_every_line()
    {
        var reply = new SmtpReply(214, "2.0.0", "one", "two");
        Assert.Equal("214-2.0.0 one\r\n214 2.0.0 two\r\n", reply.ToWireFormat());
    }

    [Theory]
    [InlineData(199)]
    [InlineData(600)]
    public void Codes_outside_the_smtp_range_are_refused(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmtpReply(code, null, "x"));
    }

    [Fact]
    public void Parser_joins_lines_and_strips_enhanced_codes()
    {
        var reply = SmtpReplyParser.Parse("550-5.1.1 No such\r\n550 5.1.1 user here\r\n");
        Assert.Equal(550, reply.Code);
        Assert.Equal("5.1.1", reply.EnhancedCode);
        Assert.Equal(["No such", "user here"], reply.Lines);
        Assert.True(reply.IsPermanentNegative);
        Assert.Equal("550 5.1.1 No such user here", reply.ToString());
    }

    [Fact]
    public void Parser_leaves_text_that_only_looks_like_a_code()
    {
        var reply = SmtpReplyParser.Parse("250 4.2.1 is not our class\r\n");
        Assert.Null(reply.EnhancedCode);
        Assert.Equal("4.2.1 is not our class", reply.Text);
        Assert.Null(SmtpReplyParser.Parse("250 2.0.0x text").EnhancedCode);
    }

    [Fact]
    public void Parser_accepts_a_bare_code()
    {
        var reply = SmtpReplyParser.Parse("354\r\n");
        Assert.Equal(354, reply.Code);
        Assert.True(reply.IsPositiveIntermediate);
        Assert.Equal("", reply.Text);
    }

    [Theory]
    [InlineData("25")]
    [InlineData("abc hello")]
    [InlineData("250xhello")]
    [InlineData("650 nope")]
    [InlineData("250-a\r\n251 b")]
    [InlineData("250-unfinished")]
    [InlineData("250 a\r\n250 b")]
    public void Parser_rejects_malformed_replies(string text)
    {
        Assert.Throws<SmtpProtocolException>(() => SmtpReplyParser.Parse(text));
    }

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        var reply = new SmtpReply(452, "4.5.3", "Too many", "recipients");
        var parsed = SmtpReplyParser.Parse(reply.ToWireFormat());
        Assert.Equal(reply.Code, parsed.Code);
        Assert.Equal(reply.EnhancedCode, parsed.EnhancedCode);
        Assert.Equal(reply.Lines, parsed.Lines);
        Assert.True(parsed.IsTransientNegative);
    }
}

using System.Text;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

public sealed class DataPhaseTests
{
    private const string Queued = "250 2.0.0 OK: queued as msg_1\r\n";
    private const string Refused = "554 5.5.2 Bare CR or LF in message data, message refused\r\n";

    private static async Task<SessionHarness> InDataAsync(SmtpServerOptions? options = null)
    {
        var harness = new SessionHarness(options);
        await harness.StartTransactionAsync();
        Assert.StartsWith("354", await harness.SendAsync("DATA\r\n"));
        return harness;
    }

    [Theory]
    [InlineData("a\r\n..\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n")]
    [InlineData("...x\r\n.\r\n", "..x\r\n")]
    [InlineData(".x\r\n.\r\n", "x\r\n")]
    [InlineData("a.\r\n.b\r\n.\r\n", "a.\r\nb\r\n")]
    [InlineData("no final newline.\r\n.\r\n", "no final newline.\r\n")]
    public async Task Dot_unstuffing(string data, string stored)
    {
        using var harness = await InDataAsync();
        Assert.Equal(Queued, await harness.SendAsync(data));
        Assert.Equal(stored, Assert.Single(harness.Store.Messages).Text);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task End_of_data_is_found_across_any_split(int pieceSize)
    {
        using var harness = await InDataAsync();
        var replies = await harness.SendInPiecesAsync("line one\r\n..two\r\n\r\n.\r\nNOOP\r\n", pieceSize);
        Assert.Equal(Queued + "250 2.0.0 OK\r\n", replies);
        Assert.Equal("line one\r\n.two\r\n\r\n", Assert.Single(harness.Store.Messages).Text);
    }

    /// <summary>
    /// Each payload tries to end the data early with something that is not CRLF.CRLF and smuggle a second message.
    /// None may end the data: the real CRLF.CRLF that follows ends it, and the message is refused, not stored.
    /// </summary>
    [Theory]
    [InlineData("a\n.\nMAIL FROM:<x@evil.test>\r\n")]
    [InlineData("a\r\n.\nMAIL FROM:<x@evil.test>\r\n")]
    [InlineData("a\n.\r\nMAIL FROM:<x@evil.test>\r\n")]
    [InlineData("a\r.\rMAIL FROM:<x@evil.test>\r\n")]
    [InlineData("a\r.\r\nMAIL FROM:<x@evil.test>\r\n")]
    [InlineData("a\r\n.\rMAIL FROM:<x@evil.test>\r\n")]
    [InlineData("a\r\r\n.\r\r\nMAIL FROM:<x@evil.test>\r\n")]
    [InlineData("bare lf\nin the middle\r\n")]
    [InlineData("bare cr\rin the middle\r\n")]
    [InlineData("\n.\n")]
    [InlineData(".\n")]
    [InlineData("trailing cr\r")]
    public async Task Smuggling_attempts_are_refused_and_not_stored(string payload)
    {
        using var harness = await InDataAsync();
        var replies = await harness.SendAsync(payload + "\r\n.\r\nRCPT TO:<bob@example.com>\r\n");
        Assert.Equal(Refused + "503 5.5.1 Bad sequence of commands\r\n", replies);
        Assert.Empty(harness.Store.Messages);
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
    }

    [Fact]
    public async Task Smuggled_commands_are_never_executed()
    {
        using var harness = await InDataAsync();
        var replies = await harness.SendAsync(
            "Subject: first\r\n\r\nbody\n.\nMAIL FROM:<admin@example.com>\nRCPT TO:<bob@example.com>\nDATA\nSubject: smuggled\n\nx\n.\n");
        Assert.Equal("", replies);
        Assert.Equal(Refused, await harness.SendAsync("\r\n.\r\n"));
        Assert.Empty(harness.Store.Messages);
    }

    [Fact]
    public async Task Bare_lf_refusal_is_also_found_across_splits()
    {
        using var harness = await InDataAsync();
        Assert.Equal(Refused, await harness.SendInPiecesAsync("a\r\nb\n.\r\n.\r\n", 1));
    }

    [Fact]
    public async Task Size_is_enforced_while_reading_and_the_rest_is_read_to_the_end()
    {
        using var harness = await InDataAsync(new SmtpServerOptions { MaxMessageSize = 20 });
        Assert.Equal("", await harness.SendAsync("0123456789\r\n0123456789\r\n"));
        Assert.Equal("", await harness.SendAsync("MAIL FROM:<x@remote.test>\r\n"));
        Assert.Equal("552 5.3.4 Message size exceeds fixed maximum message size\r\n250 2.0.0 OK\r\n", await harness.SendAsync(".\r\nNOOP\r\n"));
        Assert.Empty(harness.Store.Messages);
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
    }

    [Fact]
    public async Task Message_of_exactly_the_maximum_size_is_accepted()
    {
        using var harness = await InDataAsync(new SmtpServerOptions { MaxMessageSize = 12 });
        Assert.Equal(Queued, await harness.SendAsync("0123456789\r\n.\r\n"));
    }

    [Fact]
    public async Task Over_long_text_line_refuses_the_message()
    {
        using var harness = await InDataAsync(new SmtpServerOptions { MaxTextLineLength = 12 });
        Assert.Equal(Queued, await harness.SendAsync("0123456789\r\n.\r\n"));
        await harness.StartTransactionAsync();
        await harness.SendAsync("DATA\r\n");
        Assert.Equal("500 5.5.6 Line too long in message data, message refused\r\n", await harness.SendAsync("01234567890\r\n.\r\n"));
        Assert.Single(harness.Store.Messages);
    }

    [Fact]
    public async Task Large_message_spills_to_a_temporary_file()
    {
        var directory = Directory.CreateTempSubdirectory("mailroom-smtp-test").FullName;
        try
        {
            using var harness = await InDataAsync(new SmtpServerOptions { MemoryBufferThreshold = 1024, TempDirectory = directory });
            var line = new string('x', 78) + "\r\n";
            var body = string.Concat(Enumerable.Repeat(line, 1000));
            Assert.Equal(Queued, await harness.SendInPiecesAsync(body + ".\r\n", 4096));
            var message = Assert.Single(harness.Store.Messages);
            Assert.True(message.WasFileBacked);
            Assert.Equal(body, message.Text);
            Assert.Empty(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Eight_bit_and_nul_bytes_pass_through_unchanged()
    {
        using var harness = await InDataAsync();
        var bytes = new byte[] { 0xC3, 0xA9, 0x00, 0xFF, (byte)'\r', (byte)'\n', (byte)'.', (byte)'\r', (byte)'\n' };
        Assert.Equal(Queued, await harness.SendAsync(bytes));
        Assert.Equal(bytes[..6], Assert.Single(harness.Store.Messages).Bytes);
    }
}

using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

public sealed class ChunkingTests
{
    [Fact]
    public async Task Chunks_are_joined_and_stored_after_last()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.Equal("250 2.0.0 7 octets received\r\n", await harness.SendAsync("BDAT 7\r\nhello\r\n"));
        Assert.Equal(SmtpState.Chunking, harness.Session.State);
        Assert.Equal("250 2.0.0 OK: queued as msg_1\r\n", await harness.SendAsync("BDAT 6 LAST\r\n.world"));
        var message = Assert.Single(harness.Store.Messages);
        Assert.Equal("hello\r\n.world", message.Text);
        Assert.True(message.Envelope.Chunked);
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
    }

    [Fact]
    public async Task Chunk_bytes_are_never_commands_even_across_reads()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.Equal("250 2.0.0 OK: queued as msg_1\r\n250 2.0.0 OK\r\n",
            await harness.SendInPiecesAsync("BDAT 12 LAST\r\nQUIT\r\nQUIT\r\nNOOP\r\n", 5));
        Assert.Equal("QUIT\r\nQUIT\r\n", Assert.Single(harness.Store.Messages).Text);
    }

    [Fact]
    public async Task Bdat_zero_last_ends_the_message()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        await harness.SendAsync("BDAT 3\r\nabc");
        Assert.Equal("250 2.0.0 OK: queued as msg_1\r\n", await harness.SendAsync("bdat 0 last\r\n"));
        Assert.Equal("abc", Assert.Single(harness.Store.Messages).Text);
    }

    [Fact]
    public async Task Data_after_bdat_is_out_of_sequence()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        await harness.SendAsync("BDAT 3\r\nabc");
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("DATA\r\n"));
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("RCPT TO:<bob@example.com>\r\n"));
        Assert.Equal("250 2.0.0 OK\r\n", await harness.SendAsync("RSET\r\n"));
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
        Assert.Empty(harness.Store.Messages);
    }

    [Fact]
    public async Task Out_of_sequence_bdat_still_consumes_its_chunk()
    {
        using var harness = new SessionHarness();
        await harness.SendAsync("EHLO c\r\n");
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n250 2.0.0 OK\r\n", await harness.SendAsync("BDAT 6 LAST\r\nQUIT\r\nNOOP\r\n"));
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
    }

    [Fact]
    public async Task Size_is_counted_over_all_chunks()
    {
        using var harness = new SessionHarness(new SmtpServerOptions { MaxMessageSize = 10 });
        await harness.StartTransactionAsync();
        Assert.StartsWith("250", await harness.SendAsync("BDAT 6\r\n123456"));
        Assert.Equal("552 5.3.4 Message size exceeds fixed maximum message size\r\n", await harness.SendAsync("BDAT 6\r\nNOOP\r\n"));
        Assert.Equal(SmtpState.Greeted, harness.Session.State);
        // The client's pipelined last chunk is read and refused as out of sequence.
        Assert.Equal("503 5.5.1 Bad sequence of commands\r\n", await harness.SendAsync("BDAT 2 LAST\r\nxy"));
        Assert.Empty(harness.Store.Messages);
    }

    [Theory]
    [InlineData("BDAT\r\n")]
    [InlineData("BDAT x\r\n")]
    [InlineData("BDAT -1\r\n")]
    [InlineData("BDAT 5 FIRST\r\n")]
    [InlineData("BDAT 5 LAST more\r\n")]
    public async Task Malformed_bdat_closes_because_the_chunk_boundary_is_lost(string line)
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.Equal("501 5.5.4 Syntax: BDAT size [LAST]\r\n", await harness.SendAsync(line + "NOOP\r\n"));
        Assert.Equal(SmtpSessionAction.Close, harness.LastAction);
    }

    [Fact]
    public async Task Binary_chunk_content_is_not_checked_for_line_endings()
    {
        using var harness = new SessionHarness();
        await harness.StartTransactionAsync();
        Assert.StartsWith("250 2.0.0 OK", await harness.SendAsync("BDAT 5 LAST\r\na\nb\rc"));
        Assert.Equal("a\nb\rc", Assert.Single(harness.Store.Messages).Text);
    }
}

namespace Mailroom.Smtp.Client;

/// <summary>What the client must know about a message before MAIL FROM: its size and whether it needs 8BITMIME or SMTPUTF8.</summary>
internal readonly record struct SmtpMessageFacts(long Size, bool EightBitData, bool NonAsciiHeaders)
{
    /// <summary>Reads the stream once from its current position and puts the position back. Size counts CRLF line ends as sent.</summary>
    public static SmtpMessageFacts Scan(Stream message)
    {
        var start = message.Position;
        var buffer = new byte[64 * 1024];
        long size = 0;
        var eightBit = false;
        var nonAsciiHeaders = false;
        var inHeaders = true;
        var lineEmpty = true;
        var afterCr = false;
        int read;
        while ((read = message.Read(buffer)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                // A line break ends here: CRLF or bare LF at this LF, or a bare CR before this byte. Each is sent as CRLF.
                if (afterCr || b == '\n')
                {
                    inHeaders &= !lineEmpty;
                    lineEmpty = true;
                    size += 2;
                }
                afterCr = b == '\r';
                if (afterCr || b == '\n')
                {
                    continue;
                }
                size++;
                lineEmpty = false;
                if (b > 127)
                {
                    eightBit = true;
                    nonAsciiHeaders |= inHeaders;
                }
            }
        }
        // An unterminated last line gets its CRLF.
        if (afterCr || !lineEmpty)
        {
            size += 2;
        }
        message.Position = start;
        return new SmtpMessageFacts(size, eightBit, nonAsciiHeaders);
    }
}

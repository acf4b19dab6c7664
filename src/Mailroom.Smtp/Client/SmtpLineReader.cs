using System.Text;

namespace Mailroom.Smtp.Client;

/// <summary>Reads reply lines from the server through a buffer, so several pipelined replies in one packet are all seen.</summary>
internal sealed class SmtpLineReader(Stream stream)
{
    private const int MaxLineLength = 8192;
    private const int MaxReplyLines = 500;

    private readonly byte[] _buffer = new byte[MaxLineLength];
    private int _start;
    private int _end;

    public async ValueTask<SmtpReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var parser = new SmtpReplyParser();
        for (var lines = 0; lines < MaxReplyLines; lines++)
        {
            if (parser.Add(await ReadLineAsync(cancellationToken)) is { } reply)
            {
                return reply;
            }
        }
        throw new SmtpProtocolException("The server's reply has too many lines.");
    }

    private async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var lf = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = _buffer.AsSpan(_start, lf);
                _start += lf + 1;
                return Encoding.UTF8.GetString(line.EndsWith("\r"u8) ? line[..^1] : line);
            }
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                throw new SmtpProtocolException("The server sent a line longer than 8192 octets.");
            }
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new SmtpProtocolException("The server closed the connection.");
            }
            _end += read;
        }
    }
}

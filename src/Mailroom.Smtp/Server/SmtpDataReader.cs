namespace Mailroom.Smtp.Server;

/// <summary>
/// Reads the DATA stream: removes dot-stuffing and finds the end, which is only <c>CRLF . CRLF</c>.
/// A CR or LF that is not part of a CRLF pair marks the message as refused (SMTP smuggling defence): such a
/// message is read to its real end and never stored, so nothing after a lone <c>\n.\n</c> is taken as a command.
/// </summary>
internal sealed class SmtpDataReader
{
    private enum Position { LineStart, Text, AfterCr, AfterDot, AfterDotCr }

    private readonly SmtpMessageBody _body;
    private readonly long _maxSize;
    private readonly int _maxLineLength;
    private Position _position = Position.LineStart;
    private int _lineLength;

    public SmtpDataReader(SmtpMessageBody body, long maxSize, int maxTextLineLength)
    {
        _body = body;
        _maxSize = maxSize;
        // The limit counts the CRLF; the reader counts the characters before it.
        _maxLineLength = maxTextLineLength - 2;
    }

    public bool Complete { get; private set; }

    public bool BareLineBreak { get; private set; }

    public bool SizeExceeded { get; private set; }

    public bool LineTooLong { get; private set; }

    /// <summary>Message octets received after unstuffing, counted even past the size limit.</summary>
    public long Size { get; private set; }

    /// <summary>Consumes bytes up to and including the terminating <c>CRLF . CRLF</c>; returns how many were used.</summary>
    public int Read(ReadOnlySpan<byte> input)
    {
        var i = 0;
        while (i < input.Length && !Complete)
        {
            var b = input[i];
            switch (_position)
            {
                case Position.LineStart when b == '.':
                    _position = Position.AfterDot;
                    _lineLength = 1;
                    i++;
                    break;
                case Position.LineStart:
                    _position = Position.Text;
                    break;
                case Position.AfterDot when b == '\r':
                    _position = Position.AfterDotCr;
                    i++;
                    break;
                case Position.AfterDot:
                    // A leading dot followed by text is a stuffed dot: drop it.
                    _position = Position.Text;
                    break;
                case Position.AfterDotCr when b == '\n':
                    Complete = true;
                    i++;
                    break;
                case Position.AfterDotCr:
                    BareLineBreak = true;
                    _position = Position.Text;
                    break;
                case Position.AfterCr when b == '\n':
                    Emit("\r\n"u8);
                    _position = Position.LineStart;
                    _lineLength = 0;
                    i++;
                    break;
                case Position.AfterCr:
                    BareLineBreak = true;
                    _position = Position.Text;
                    break;
                case Position.Text:
                    var rest = input[i..];
                    var stop = rest.IndexOfAny((byte)'\r', (byte)'\n');
                    var run = stop < 0 ? rest.Length : stop;
                    Emit(rest[..run]);
                    _lineLength += run;
                    if (_lineLength > _maxLineLength)
                    {
                        LineTooLong = true;
                    }
                    i += run;
                    if (stop >= 0)
                    {
                        if (rest[stop] == '\n')
                        {
                            // A bare LF never ends a line here, so "\n.\n" and "\n.\r\n" are just text.
                            BareLineBreak = true;
                        }
                        else
                        {
                            _position = Position.AfterCr;
                        }
                        i++;
                    }
                    break;
            }
        }
        return i;
    }

    private bool Refused => BareLineBreak || SizeExceeded || LineTooLong;

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        Size += bytes.Length;
        if (Size > _maxSize)
        {
            SizeExceeded = true;
        }
        if (!Refused)
        {
            _body.Write(bytes);
        }
    }
}

namespace Mailroom.Smtp.Client;

/// <summary>
/// Turns message bytes into the DATA stream: every line break becomes CRLF (a bare LF or CR would be refused by
/// careful servers as smuggling), a line starting with "." gets a second one (RFC 5321 section 4.5.2), and
/// <see cref="Finish"/> ends an unterminated last line and appends <c>.CRLF</c>.
/// </summary>
internal sealed class SmtpDataEncoder
{
    /// <summary>Bytes <see cref="Finish"/> may write at most.</summary>
    public const int FinishLength = 5;

    private bool _atLineStart = true;
    private bool _pendingCr;

    /// <summary>Worst case output for an input length: every byte a line break or a leading dot.</summary>
    public static int MaxOutputLength(int inputLength) => inputLength * 2 + 2;

    public int Encode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var o = 0;
        foreach (var b in input)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
                _atLineStart = true;
                if (b == '\n')
                {
                    continue;
                }
            }
            switch (b)
            {
                case (byte)'\r':
                    _pendingCr = true;
                    break;
                case (byte)'\n':
                    output[o++] = (byte)'\r';
                    output[o++] = (byte)'\n';
                    _atLineStart = true;
                    break;
                default:
                    if (_atLineStart && b == '.')
                    {
                        output[o++] = (byte)'.';
                    }
                    output[o++] = b;
                    _atLineStart = false;
                    break;
            }
        }
        return o;
    }

    public int Finish(Span<byte> output)
    {
        var o = 0;
        if (_pendingCr || !_atLineStart)
        {
            output[o++] = (byte)'\r';
            output[o++] = (byte)'\n';
        }
        output[o++] = (byte)'.';
        output[o++] = (byte)'\r';
        output[o++] = (byte)'\n';
        _pendingCr = false;
        _atLineStart = true;
        return o;
    }
}

namespace Mailroom.Mime.Internal;

/// <summary>
/// Streaming content-transfer-encoding decoder. State carries across calls, so input may arrive in any
/// split. The output span must hold at least twice the input length + <see cref="ContentDecoders.Slack"/> bytes
/// (a uuencoded line decodes only when its line feed arrives; a quoted-printable bare LF becomes CRLF).
/// </summary>
internal interface IContentDecoder
{
    int Decode(ReadOnlySpan<byte> input, Span<byte> output);
}

internal static class ContentDecoders
{
    public const int Slack = 256;

    public static IContentDecoder For(string? transferEncoding) => transferEncoding?.Trim().ToLowerInvariant() switch
    {
        "base64" => new Base64Decoder(),
        "quoted-printable" => new QuotedPrintableDecoder(),
        "x-uuencode" or "uuencode" or "x-uue" => new UuDecoder(),
        _ => new IdentityDecoder(),
    };
}

internal sealed class IdentityDecoder : IContentDecoder
{
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        input.CopyTo(output);
        return input.Length;
    }
}

/// <summary>Base64 that skips characters outside the alphabet (RFC 2045 section 6.8, so '-' and '_' too); padding ends a quantum, so concatenated blocks decode.</summary>
internal sealed class Base64Decoder : IContentDecoder
{
    private static readonly sbyte[] Map = BuildMap();
    private int _quantum;
    private int _count;

    private static sbyte[] BuildMap()
    {
        var map = new sbyte[256];
        Array.Fill(map, (sbyte)-1);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (var i = 0; i < alphabet.Length; i++) map[alphabet[i]] = (sbyte)i;
        return map;
    }

    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var n = 0;
        foreach (var b in input)
        {
            if (b == '=')
            {
                if (_count == 2) output[n++] = (byte)(_quantum >> 4);
                else if (_count == 3)
                {
                    output[n++] = (byte)(_quantum >> 10);
                    output[n++] = (byte)(_quantum >> 2);
                }
                _count = 0;
                _quantum = 0;
                continue;
            }
            var v = Map[b];
            if (v < 0) continue;
            _quantum = _quantum << 6 | (byte)v;
            if (++_count == 4)
            {
                output[n++] = (byte)(_quantum >> 16);
                output[n++] = (byte)(_quantum >> 8);
                output[n++] = (byte)_quantum;
                _count = 0;
                _quantum = 0;
            }
        }
        return n;
    }

    private static int Sextet(ReadOnlySpan<byte> line, int k) => k < line.Length ? (line[k] - 0x20) & 0x3F : 0;
}

/// <summary>
/// Quoted-printable; a malformed escape is kept as written. A hard line break decodes to CRLF whatever the
/// transport used (RFC 2045 section 6.7: line breaks in the encoded text are the canonical CRLF).
/// </summary>
internal sealed class QuotedPrintableDecoder : IContentDecoder
{
    // Bytes seen after '=' that are not yet resolved: a hex digit, or whitespace before a soft line break.
    private readonly byte[] _pending = new byte[80];
    private int _pendingCount;
    private bool _inEscape;
    private bool _afterCr;

    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var n = 0;
        foreach (var b in input)
        {
            if (!_inEscape)
            {
                if (b == '=') { _inEscape = true; _pendingCount = 0; }
                else
                {
                    if (b == '\n' && !_afterCr) output[n++] = (byte)'\r';
                    output[n++] = b;
                }
                _afterCr = b == '\r';
                continue;
            }
            _afterCr = false;
            if (_pendingCount == 0 && IsHex(b)) { _pending[_pendingCount++] = b; continue; }
            if (_pendingCount == 1 && IsHex(_pending[0]))
            {
                if (IsHex(b))
                {
                    output[n++] = (byte)(HexValue(_pending[0]) << 4 | HexValue(b));
                    _inEscape = false;
                    continue;
                }
                n = FlushLiteral(output, n);
                n = Reprocess(b, output, n);
                continue;
            }
            if (b == '\n') { _inEscape = false; continue; } // soft line break
            if ((b is (byte)' ' or (byte)'\t' or (byte)'\r') && _pendingCount < _pending.Length)
            {
                _pending[_pendingCount++] = b;
                continue;
            }
            n = FlushLiteral(output, n);
            n = Reprocess(b, output, n);
        }
        return n;
    }

    private int FlushLiteral(Span<byte> output, int n)
    {
        // Never more bytes than were consumed since the '=', so the output bound holds.
        output[n++] = (byte)'=';
        for (var k = 0; k < _pendingCount; k++) output[n++] = _pending[k];
        _inEscape = false;
        _pendingCount = 0;
        return n;
    }

    private int Reprocess(byte b, Span<byte> output, int n)
    {
        if (b == '=') { _inEscape = true; _pendingCount = 0; }
        else
        {
            if (b == '\n' && (n == 0 || output[n - 1] != '\r')) output[n++] = (byte)'\r';
            output[n++] = b;
        }
        _afterCr = b == '\r';
        return n;
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}

/// <summary>uuencode: skips to the "begin" line, decodes each line by its length character, stops at "end".</summary>
internal sealed class UuDecoder : IContentDecoder
{
    private readonly byte[] _line = new byte[256];
    private int _lineLength;
    private bool _begun;
    private bool _ended;

    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var n = 0;
        foreach (var b in input)
        {
            if (b != '\n')
            {
                if (b != '\r' && _lineLength < _line.Length) _line[_lineLength++] = b;
                continue;
            }
            n += DecodeLine(output[n..]);
            _lineLength = 0;
        }
        return n;
    }

    private int DecodeLine(Span<byte> output)
    {
        var line = _line.AsSpan(0, _lineLength);
        if (_ended) return 0;
        if (!_begun)
        {
            _begun = line.StartsWith("begin "u8);
            return 0;
        }
        if (line.SequenceEqual("end"u8) || line.Length == 0) { _ended = line.Length > 0; return 0; }
        var count = (line[0] - 0x20) & 0x3F;
        var n = 0;
        for (var i = 1; i < line.Length && n < count; i += 4)
        {
            var q = Sextet(line, i) << 18 | Sextet(line, i + 1) << 12 | Sextet(line, i + 2) << 6 | Sextet(line, i + 3);
            if (n < count) output[n++] = (byte)(q >> 16);
            if (n < count) output[n++] = (byte)(q >> 8);
            if (n < count) output[n++] = (byte)q;
        }
        return n;
    }

    private static int Sextet(ReadOnlySpan<byte> line, int k) => k < line.Length ? (line[k] - 0x20) & 0x3F : 0;
}

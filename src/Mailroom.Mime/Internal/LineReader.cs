using System.Buffers;

namespace Mailroom.Mime.Internal;

/// <summary>
/// Hands out the input one line fragment at a time. A fragment ends at a line feed, at the end of the
/// input, or when the working buffer is full (a long body line arrives in several fragments), so memory
/// stays bounded whatever the line lengths are. Reads from a stream are also appended to the raw store; their
/// working buffer is pooled (returned on dispose), so parsing many messages does not allocate one each.
/// </summary>
internal sealed class LineReader : IDisposable
{
    public const int BufferSize = 64 * 1024;

    private readonly Stream? _stream;
    private readonly RawBuffer? _raw;
    private byte[] _buffer;
    private readonly long _maxSize;
    private int _pos;
    private int _end;
    private long _bufferOffset;
    private bool _eof;
    private bool _atLineStart = true;

    public LineReader(Stream stream, RawBuffer raw, long maxSize)
    {
        _stream = stream;
        _raw = raw;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _maxSize = maxSize;
    }

    public LineReader(ReadOnlyMemory<byte> data)
    {
        // Memory input needs no copy: the buffer is the data itself (read-only use only).
        _buffer = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment) && segment.Array is not null
            ? segment.Array
            : data.ToArray();
        _pos = segment.Array is not null ? segment.Offset : 0;
        _bufferOffset = -_pos;
        _end = _pos + data.Length;
        _eof = true;
        _maxSize = long.MaxValue;
    }

    public void Dispose()
    {
        if (_stream is null || _buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Absolute offset of the next unread byte.</summary>
    public long Position => _bufferOffset + _pos;

    /// <summary>Next fragment; <paramref name="atLineStart"/> tells whether it begins a line.</summary>
    public bool Read(out ReadOnlySpan<byte> fragment, out long offset, out bool atLineStart)
    {
        while (true)
        {
            var available = _end - _pos;
            var window = _buffer.AsSpan(_pos, Math.Min(available, BufferSize));
            var lf = window.IndexOf((byte)'\n');
            if (lf >= 0 || window.Length == BufferSize || (_eof && available > 0))
            {
                var length = lf >= 0 ? lf + 1 : window.Length;
                fragment = window[..length];
                offset = Position;
                atLineStart = _atLineStart;
                _atLineStart = fragment[^1] == (byte)'\n';
                _pos += length;
                return true;
            }
            if (_eof)
            {
                fragment = default;
                offset = Position;
                atLineStart = _atLineStart;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_pos > 0)
        {
            _buffer.AsSpan(_pos, _end - _pos).CopyTo(_buffer);
            _bufferOffset += _pos;
            _end -= _pos;
            _pos = 0;
        }
        var n = _stream!.Read(_buffer, _end, BufferSize - _end);
        if (n <= 0)
        {
            _eof = true;
            return;
        }
        _raw!.Append(_buffer.AsSpan(_end, n));
        _end += n;
        if (_raw.Length > _maxSize)
            throw new MimeFormatException($"Message is larger than MaxMessageSize ({_maxSize} bytes).");
    }
}

using System.Buffers;

namespace Mailroom.Mime.Internal;

/// <summary>
/// Append-only store of the bytes read from a stream, kept in chunks so that growing never copies what was
/// already read (a 50 MB message costs about 50 MB, not a doubling series). A stream that knows its length gets
/// one chunk of exactly that size; otherwise chunks start small and double up to 256 KB, so a 3 KB message
/// does not cost a 256 KB chunk.
/// </summary>
internal sealed class RawBuffer
{
    private const int FirstChunkSize = 4 * 1024;
    private const int MaxChunkSize = 256 * 1024;
    private readonly List<byte[]> _chunks = [];
    private int _lastUsed;
    private int _nextChunkSize;

    /// <param name="expectedLength">What the stream says is left to read, or 0 when it cannot tell.</param>
    public RawBuffer(long expectedLength) =>
        _nextChunkSize = expectedLength > 0 ? (int)Math.Min(expectedLength, Array.MaxLength) : FirstChunkSize;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_chunks.Count == 0 || _lastUsed == _chunks[^1].Length)
            {
                _chunks.Add(new byte[_nextChunkSize]);
                _nextChunkSize = (int)Math.Min(MaxChunkSize, Math.Max(FirstChunkSize, 2L * _nextChunkSize));
                _lastUsed = 0;
            }
            var n = Math.Min(data.Length, _chunks[^1].Length - _lastUsed);
            data[..n].CopyTo(_chunks[^1].AsSpan(_lastUsed));
            _lastUsed += n;
            Length += n;
            data = data[n..];
        }
    }

    public ReadOnlySequence<byte> ToSequence()
    {
        if (_chunks.Count == 0) return ReadOnlySequence<byte>.Empty;
        if (_chunks.Count == 1) return new ReadOnlySequence<byte>(_chunks[0], 0, _lastUsed);
        Segment first = new(_chunks[0], 0), last = first;
        for (var i = 1; i < _chunks.Count; i++)
        {
            var mem = i == _chunks.Count - 1 ? _chunks[i].AsMemory(0, _lastUsed) : _chunks[i];
            last = last.Append(mem);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

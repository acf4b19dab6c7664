namespace Mailroom.Mime.Tests.Parser;

/// <summary>
/// A stream that hands out one byte per Read, to prove the state machine does not depend on chunking; unseekable,
/// it also makes the raw store grow chunk by chunk instead of taking the length it is told.
/// </summary>
internal sealed class OneByteStream(byte[] data, bool seekable) : MemoryStream(data)
{
    public override bool CanSeek => seekable;

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);
}

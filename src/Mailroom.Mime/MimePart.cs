using System.Buffers;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>A leaf part: its content decodes on demand from the raw bytes, so large attachments are not held twice.</summary>
public sealed class MimePart : MimeEntity
{
    private long _decodedSize = -1;
    private string? _text;

    internal MimePart(HeaderList headers, long headerStart, ContentType defaultType)
        : base(headers, headerStart, defaultType) { }

    /// <summary>Size of the decoded content in bytes (computed once, without keeping the content).</summary>
    public long DecodedSize
    {
        get
        {
            if (_decodedSize < 0) _decodedSize = Decode(null);
            return _decodedSize;
        }
    }

    public byte[] GetContent()
    {
        var size = DecodedSize;
        if (size > Array.MaxLength) throw new InvalidOperationException("Content too large for one array; use WriteContentTo.");
        var content = new byte[size];
        using var target = new MemoryStream(content, true);
        Decode(target);
        return content;
    }

    public void WriteContentTo(Stream destination) => Decode(destination);

    /// <summary>Decoded content as text, in its charset with the lenient fallback.</summary>
    public string GetText() => _text ??= Charsets.Decode(GetContent(), ContentType.Charset);

    private long Decode(Stream? destination)
    {
        var decoder = ContentDecoders.For(ContentTransferEncoding);
        var output = ArrayPool<byte>.Shared.Rent(16 * 1024 + ContentDecoders.Slack);
        long total = 0;
        try
        {
            foreach (var segment in RawBody)
            {
                var span = segment.Span;
                while (!span.IsEmpty)
                {
                    var chunk = span[..Math.Min(span.Length, 8 * 1024)]; // output holds 2x input + slack
                    var n = decoder.Decode(chunk, output);
                    destination?.Write(output, 0, n);
                    total += n;
                    span = span[chunk.Length..];
                }
            }
            if (decoder is UuDecoder)
            {
                // A final uuencoded line without line feed still counts.
                var tail = decoder.Decode("\n"u8, output);
                destination?.Write(output, 0, tail);
                total += tail;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
        return total;
    }
}

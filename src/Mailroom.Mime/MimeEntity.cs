using System.Buffers;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>A node of the MIME tree: its header block and where its body lies in the message's raw bytes.</summary>
public abstract class MimeEntity
{
    private ContentType? _contentType;
    private ContentType? _disposition;
    private bool _dispositionParsed;

    private protected MimeEntity(HeaderList headers, long headerStart, ContentType defaultType)
    {
        Headers = headers;
        HeaderStart = headerStart;
        DefaultContentType = defaultType;
    }

    public HeaderList Headers { get; }

    internal ReadOnlySequence<byte> Source { get; set; }

    internal ContentType DefaultContentType { get; }

    /// <summary>Offset of the first header byte in the raw message.</summary>
    public long HeaderStart { get; }

    /// <summary>Offset of the first body byte.</summary>
    public long BodyStart { get; internal set; }

    /// <summary>Offset just past the body; the line break before a following boundary belongs to the boundary.</summary>
    public long BodyEnd { get; internal set; }

    /// <summary>Content-Type, or the default for its place (text/plain; message/rfc822 inside multipart/digest).</summary>
    public ContentType ContentType => _contentType ??= ContentTypeOf(Headers, DefaultContentType);

    /// <summary>
    /// The Content-Type field's type, or <paramref name="defaultType"/> when the field is missing or names no
    /// type/subtype: RFC 2045 5.2 reads a syntactically invalid Content-Type ("text", "not a type") as the
    /// default. Its parameters (a charset) are kept.
    /// </summary>
    internal static ContentType ContentTypeOf(HeaderList headers, ContentType defaultType) =>
        headers.Find("Content-Type") is { } h && ContentType.Parse(h.RawText) is { } type
            ? type.MediaSubtype is null ? new ContentType(defaultType.MediaType, defaultType.MediaSubtype, type.Parameters) : type
            : defaultType;

    /// <summary>Content-Disposition, with the disposition type in <see cref="ContentType.MediaType"/>.</summary>
    public ContentType? ContentDisposition
    {
        get
        {
            if (!_dispositionParsed)
            {
                _disposition = Headers.Find("Content-Disposition") is { } h ? ContentType.Parse(h.RawText) : null;
                _dispositionParsed = true;
            }
            return _disposition;
        }
    }

    /// <summary>"attachment", "inline", or null when absent.</summary>
    public string? Disposition => ContentDisposition?.MediaType;

    /// <summary>Content-ID without angle brackets.</summary>
    public string? ContentId => Headers["Content-ID"] is { } v ? MessageIds.ParseFirst(v) : null;

    /// <summary>Transfer encoding lower-cased; "7bit" when absent.</summary>
    public string ContentTransferEncoding =>
        Headers["Content-Transfer-Encoding"] is { Length: > 0 } v ? v.Trim().ToLowerInvariant() : "7bit";

    /// <summary>File name from Content-Disposition filename, else Content-Type name.</summary>
    public string? FileName =>
        (ContentDisposition?["filename"] is { Length: > 0 } f ? f : null) ?? (ContentType["name"] is { Length: > 0 } n ? n : null);

    /// <summary>The body bytes as they appear in the message (still transfer-encoded).</summary>
    public ReadOnlySequence<byte> RawBody => Source.Slice(BodyStart, BodyEnd - BodyStart);
}

using System.Buffers;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>A multipart entity: preamble, children between boundaries, epilogue.</summary>
public sealed class Multipart : MimeEntity
{
    private readonly List<MimeEntity> _children = [];

    internal Multipart(HeaderList headers, long headerStart, ContentType defaultType, string boundary)
        : base(headers, headerStart, defaultType) => Boundary = boundary;

    public string Boundary { get; }

    public IReadOnlyList<MimeEntity> Children => _children;

    internal void Add(MimeEntity child) => _children.Add(child);

    internal long PreambleEnd { get; set; } = -1;

    internal long EpilogueStart { get; set; } = -1;

    /// <summary>Whether the closing delimiter was seen.</summary>
    public bool IsClosed => EpilogueStart >= 0;

    /// <summary>Text before the first boundary (null when there is none), read as UTF-8 or Windows-1252.</summary>
    public string? Preamble => PreambleEnd < 0 ? (Children.Count == 0 ? TextOf(BodyStart, BodyEnd) : null) : TextOf(BodyStart, PreambleEnd);

    /// <summary>Text after the closing boundary (null when there is none).</summary>
    public string? Epilogue => EpilogueStart < 0 ? null : TextOf(EpilogueStart, BodyEnd);

    private string? TextOf(long start, long end) =>
        end <= start ? null : Charsets.DecodeRawHeader(Source.Slice(start, end - start).ToArray());
}

namespace Mailroom.Mime;

/// <summary>Limits and switches for <see cref="MimeParser"/>. Every limit, when exceeded, raises <see cref="MimeFormatException"/>.</summary>
public sealed class MimeParserOptions
{
    /// <summary>Limits suited to a mail server accepting mail from the internet.</summary>
    public static MimeParserOptions Default { get; } = new();

    /// <summary>Deepest nesting of multiparts and message/rfc822 parts below the top-level entity.</summary>
    public int MaxNestingDepth { get; init; } = 50;

    /// <summary>Most header fields in one header block (the message's or one part's).</summary>
    public int MaxHeaderCount { get; init; } = 1000;

    /// <summary>Longest header field in bytes, counting all its folded lines.</summary>
    public int MaxHeaderLength { get; init; } = 256 * 1024;

    /// <summary>Most MIME entities (leaf parts, multiparts and embedded messages) in one message.</summary>
    public int MaxParts { get; init; } = 10_000;

    /// <summary>Longest physical line in a header block. Body lines of any length are streamed in chunks.</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;

    /// <summary>Largest message in bytes.</summary>
    public long MaxMessageSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Deepest nesting of base64 or quoted-printable encoded message/rfc822 parts that are decoded and parsed.</summary>
    public int MaxEncodedMessageDepth { get; init; } = 3;
}

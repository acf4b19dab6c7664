namespace Mailroom.Mime;

/// <summary>A message/rfc822 part: an embedded message, parsed in place (or decoded first when base64 or quoted-printable).</summary>
public sealed class MessagePart : MimeEntity
{
    internal MessagePart(HeaderList headers, long headerStart, ContentType defaultType)
        : base(headers, headerStart, defaultType) { }

    public MimeMessage Message { get; internal set; } = null!;
}

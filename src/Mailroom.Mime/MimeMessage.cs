using System.Buffers;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>A parsed message: header fields, the MIME tree, the parts chosen as text, html and attachments, and the raw bytes.</summary>
public sealed class MimeMessage
{
    private BodyStructure? _structure;
    private string? _preview;

    internal MimeMessage(MimeEntity body, ReadOnlySequence<byte> source)
    {
        Body = body;
        Raw = source.IsEmpty ? source : source.Slice(body.HeaderStart, body.BodyEnd - body.HeaderStart);
    }

    public static MimeMessage Load(Stream stream, MimeParserOptions? options = null) => new MimeParser(options).ParseMessage(stream);

    public static MimeMessage Parse(byte[] data, MimeParserOptions? options = null) => new MimeParser(options).ParseMessage(data);

    public static MimeMessage Parse(ReadOnlyMemory<byte> data, MimeParserOptions? options = null) => new MimeParser(options).ParseMessage(data);

    /// <summary>Root of the MIME tree; its header block is the message header.</summary>
    public MimeEntity Body { get; }

    public HeaderList Headers => Body.Headers;

    /// <summary>The message exactly as read.</summary>
    public ReadOnlySequence<byte> Raw { get; }

    public long Size => Raw.Length;

    public IReadOnlyList<MailboxAddress> From => Addresses("From");

    public IReadOnlyList<MailboxAddress> Sender => Addresses("Sender");

    public IReadOnlyList<MailboxAddress> To => Addresses("To");

    public IReadOnlyList<MailboxAddress> Cc => Addresses("Cc");

    public IReadOnlyList<MailboxAddress> Bcc => Addresses("Bcc");

    public IReadOnlyList<MailboxAddress> ReplyTo => Addresses("Reply-To");

    public string? Subject => Headers["Subject"];

    public DateTimeOffset? Date => Headers.Find("Date") is { } h ? MimeDate.Parse(h.Value) : null;

    /// <summary>Message-ID without angle brackets.</summary>
    public string? MessageId => Headers["Message-ID"] is { } v ? MessageIds.ParseFirst(v) : null;

    public string? InReplyTo => Headers["In-Reply-To"] is { } v ? MessageIds.ParseFirst(v) : null;

    public IReadOnlyList<string> References => Headers["References"] is { } v ? MessageIds.Parse(v) : [];

    /// <summary>Parts that make up the plain-text view (RFC 8621 textBody).</summary>
    public IReadOnlyList<MimeEntity> TextParts => Structure.Text;

    /// <summary>Parts that make up the html view (RFC 8621 htmlBody).</summary>
    public IReadOnlyList<MimeEntity> HtmlParts => Structure.Html;

    /// <summary>Attachments, inline images and forwarded messages (RFC 8621 attachments).</summary>
    public IReadOnlyList<MimeAttachment> Attachments => Structure.Attachments;

    /// <summary>The text/plain body as the message carries it, or null.</summary>
    public string? TextBody => Structure.Text.OfType<MimePart>().FirstOrDefault(p => !p.ContentType.Is("text", "html") && p.ContentType.Is("text"))?.GetText();

    /// <summary>The text/html body, or null.</summary>
    public string? HtmlBody => Structure.Html.OfType<MimePart>().FirstOrDefault(p => p.ContentType.Is("text", "html"))?.GetText();

    /// <summary>Plain text to show: the text body, else text derived from the html body, else empty.</summary>
    public string PlainText => TextBody ?? (HtmlBody is { } html ? HtmlText.ToPlainText(html) : "");

    /// <summary>About 200 characters of the plain text, whitespace collapsed.</summary>
    public string Preview => _preview ??= HtmlText.Preview(PlainText, 200);

    /// <summary>Writes the message as read, byte for byte.</summary>
    public void WriteTo(Stream destination)
    {
        foreach (var segment in Raw) destination.Write(segment.Span);
    }

    public byte[] ToArray() => Raw.ToArray();

    private BodyStructure Structure => _structure ??= new BodyStructure(Body);

    private IReadOnlyList<MailboxAddress> Addresses(string name)
    {
        var list = new List<MailboxAddress>();
        foreach (var h in Headers.GetAll(name)) list.AddRange(MailboxAddress.ParseList(h.RawText));
        return list;
    }
}

namespace Mailroom.Mime;

/// <summary>An attachment or inline part of a message, decoded on demand.</summary>
public sealed class MimeAttachment
{
    internal MimeAttachment(MimeEntity entity) => Entity = entity;

    /// <summary>The part in the message tree (a <see cref="MimePart"/>, or a <see cref="MessagePart"/> for a forwarded message).</summary>
    public MimeEntity Entity { get; }

    public string? FileName => Entity.FileName;

    /// <summary>"type/subtype" lower-cased.</summary>
    public string ContentType => Entity.ContentType.MimeType;

    /// <summary>"attachment", "inline", or null when the part has no Content-Disposition.</summary>
    public string? Disposition => Entity.Disposition;

    public string? ContentId => Entity.ContentId;

    /// <summary>Decoded size in bytes.</summary>
    public long Size => Entity switch
    {
        MimePart part => part.DecodedSize,
        MessagePart message => message.Message.Size,
        _ => Entity.BodyEnd - Entity.BodyStart,
    };

    public byte[] GetContent()
    {
        using var buffer = new MemoryStream();
        if (Entity is MimePart part) return part.GetContent();
        WriteContentTo(buffer);
        return buffer.ToArray();
    }

    public void WriteContentTo(Stream destination)
    {
        switch (Entity)
        {
            case MimePart part: part.WriteContentTo(destination); break;
            case MessagePart message: message.Message.WriteTo(destination); break;
            default:
                foreach (var segment in Entity.RawBody) destination.Write(segment.Span);
                break;
        }
    }

    public override string ToString() => $"{FileName ?? "(unnamed)"} ({ContentType}, {Size} bytes)";
}

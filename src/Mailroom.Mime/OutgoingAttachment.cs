namespace Mailroom.Mime;

/// <summary>An attachment to write: inline parts (with a content id) go into multipart/related beside the html body.</summary>
public sealed record OutgoingAttachment(string FileName, string ContentType, byte[] Content, string? ContentId = null, bool Inline = false);

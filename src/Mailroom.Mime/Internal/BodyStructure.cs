namespace Mailroom.Mime.Internal;

/// <summary>Chooses text, html and attachment parts with the algorithm of RFC 8621 section 4.1.4.</summary>
internal sealed class BodyStructure
{
    public List<MimeEntity> Text { get; } = [];
    public List<MimeEntity> Html { get; } = [];
    public List<MimeAttachment> Attachments { get; } = [];

    public BodyStructure(MimeEntity root) => Walk([root], "mixed", false, Text, Html);

    private static bool IsInlineMedia(ContentType type) => type.Is("image") || type.Is("audio") || type.Is("video");

    private void Walk(IReadOnlyList<MimeEntity> parts, string multipartType, bool inAlternative, List<MimeEntity>? text, List<MimeEntity>? html)
    {
        var textLength = text?.Count ?? -1;
        var htmlLength = html?.Count ?? -1;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var type = part.ContentType;
            if (part is Multipart multipart)
            {
                var sub = type.MediaSubtype ?? "mixed";
                Walk(multipart.Children, sub, inAlternative || sub == "alternative", text, html);
                continue;
            }
            var isText = type.Is("text", "plain") || type.Is("text", "html");
            var isInline = part is MimePart
                && !string.Equals(part.Disposition, "attachment", StringComparison.OrdinalIgnoreCase)
                && (isText || IsInlineMedia(type))
                && (i == 0 || (multipartType != "related" && (IsInlineMedia(type) || part.FileName is null)));
            if (!isInline)
            {
                Attachments.Add(new MimeAttachment(part));
                continue;
            }
            if (multipartType == "alternative")
            {
                if (type.Is("text", "plain")) text?.Add(part);
                else if (type.Is("text", "html")) html?.Add(part);
                else Attachments.Add(new MimeAttachment(part));
                continue;
            }
            if (inAlternative)
            {
                if (type.Is("text", "plain")) html = null;
                if (type.Is("text", "html")) text = null;
            }
            text?.Add(part);
            html?.Add(part);
            if (IsInlineMedia(type)) Attachments.Add(new MimeAttachment(part));
        }
        if (multipartType == "alternative" && text is not null && html is not null)
        {
            if (textLength == text.Count && htmlLength != html.Count)
                for (var k = htmlLength; k < html.Count; k++) text.Add(html[k]);
            if (htmlLength == html.Count && textLength != text.Count)
                for (var k = textLength; k < text.Count; k++) html.Add(text[k]);
        }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Mailroom.Mime.Internal;

/// <summary>One entity of a message being built: its content headers and either content or children.</summary>
internal sealed class OutgoingEntity
{
    private readonly List<(string Name, string Value)> _headers = [];
    private readonly List<OutgoingEntity> _children = [];
    private string? _boundary;
    private string _body = "";

    public static OutgoingEntity Text(string mimeType, string text)
    {
        var entity = new OutgoingEntity();
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace("\n", "\r\n", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(normalized);
        var ascii = Ascii.IsValid(bytes);
        var shortLines = normalized.Split("\r\n").All(l => l.Length <= 998);
        entity._headers.Add(("Content-Type", $"{mimeType}; charset={(ascii ? "us-ascii" : "utf-8")}"));
        if (ascii && shortLines)
        {
            entity._headers.Add(("Content-Transfer-Encoding", "7bit"));
            entity._body = normalized.EndsWith("\r\n", StringComparison.Ordinal) || normalized.Length == 0 ? normalized : normalized + "\r\n";
        }
        else if (bytes.Count(b => b >= 128) * 6 < bytes.Length)
        {
            entity._headers.Add(("Content-Transfer-Encoding", "quoted-printable"));
            entity._body = QuotedPrintable(bytes);
        }
        else
        {
            entity._headers.Add(("Content-Transfer-Encoding", "base64"));
            entity._body = Base64(bytes);
        }
        return entity;
    }

    public static OutgoingEntity Attachment(OutgoingAttachment attachment)
    {
        var entity = new OutgoingEntity();
        entity._headers.Add(("Content-Type", $"{attachment.ContentType}; {HeaderWriter.Parameter("name", attachment.FileName)}"));
        entity._headers.Add(("Content-Disposition", $"{(attachment.Inline ? "inline" : "attachment")}; {HeaderWriter.Parameter("filename", attachment.FileName)}"));
        if (attachment.ContentId is not null) entity._headers.Add(("Content-ID", $"<{attachment.ContentId}>"));
        entity._headers.Add(("Content-Transfer-Encoding", "base64"));
        entity._body = Base64(attachment.Content);
        return entity;
    }

    public static OutgoingEntity Forwarded(byte[] message)
    {
        var entity = new OutgoingEntity();
        entity._headers.Add(("Content-Type", "message/rfc822"));
        entity._headers.Add(("Content-Disposition", "attachment"));
        // A message that is not 7-bit clean with CRLF lines is carried in base64, which parsers decode and parse.
        var text = Encoding.Latin1.GetString(message);
        var bare = text.Replace("\r\n", "", StringComparison.Ordinal);
        var clean = Ascii.IsValid(message) && bare.IndexOfAny(['\r', '\n', '\0']) < 0;
        if (clean)
        {
            entity._headers.Add(("Content-Transfer-Encoding", "7bit"));
            entity._body = text.EndsWith("\r\n", StringComparison.Ordinal) ? text : text + "\r\n";
        }
        else
        {
            entity._headers.Add(("Content-Transfer-Encoding", "base64"));
            entity._body = Base64(message);
        }
        return entity;
    }

    public static OutgoingEntity Multipart(string subtype, List<OutgoingEntity> children)
    {
        var entity = new OutgoingEntity { _boundary = "=_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) };
        entity._headers.Add(("Content-Type", $"multipart/{subtype}; boundary=\"{entity._boundary}\""));
        entity._children.AddRange(children);
        return entity;
    }

    public void WriteTo(StringBuilder output, BuildOptions options)
    {
        foreach (var (name, value) in _headers) HeaderWriter.Write(output, name, value, options.MaxLineLength);
        output.Append("\r\n");
        if (_boundary is null)
        {
            output.Append(_body);
            return;
        }
        foreach (var child in _children)
        {
            output.Append("--").Append(_boundary).Append("\r\n");
            child.WriteTo(output, options);
            if (output[^1] != '\n') output.Append("\r\n");
        }
        output.Append("--").Append(_boundary).Append("--\r\n");
    }

    private static string Base64(byte[] content) =>
        Convert.ToBase64String(content, Base64FormattingOptions.InsertLineBreaks) + (content.Length > 0 ? "\r\n" : "");

    private static string QuotedPrintable(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 11 / 10);
        var lineLength = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == '\r' && i + 1 < bytes.Length && bytes[i + 1] == '\n')
            {
                sb.Append("\r\n");
                lineLength = 0;
                i++;
                continue;
            }
            var atLineEnd = i + 1 == bytes.Length || bytes[i + 1] == '\r';
            var literal = (b is >= 33 and <= 126 && b != '=') || (b is (byte)' ' or (byte)'\t' && !atLineEnd);
            var token = literal ? ((char)b).ToString() : "=" + b.ToString("X2");
            if (lineLength + token.Length > 75)
            {
                sb.Append("=\r\n");
                lineLength = 0;
            }
            sb.Append(token);
            lineLength += token.Length;
        }
        if (sb.Length == 0 || sb[^1] != '\n') sb.Append("\r\n");
        return sb.ToString();
    }
}

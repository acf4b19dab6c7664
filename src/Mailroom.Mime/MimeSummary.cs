using System.Text.Json;

namespace Mailroom.Mime;

/// <summary>One-line JSON summary of a message file, for `mailroom mime summarize`.</summary>
public static class MimeSummary
{
    public static string ToJson(string file)
    {
        MimeMessage message;
        try
        {
            using var stream = File.OpenRead(file);
            message = MimeMessage.Load(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MimeFormatException or ArgumentException or NotSupportedException)
        {
            return JsonSerializer.Serialize(new { file, error = e.Message });
        }
        static object Addresses(IReadOnlyList<MailboxAddress> list) =>
            list.Select(a => new { name = a.Name, address = a.Address.Length == 0 ? null : a.Address }).ToList();
        var summary = new
        {
            file,
            from = Addresses(message.From),
            to = Addresses(message.To),
            cc = Addresses(message.Cc),
            subject = message.Subject,
            date = message.Date?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            message_id = message.MessageId,
            text = message.TextBody,
            html_length = message.HtmlBody?.Length,
            attachments = message.Attachments.Select(a => new
            {
                filename = a.FileName,
                content_type = a.ContentType,
                size = a.Size,
                content_id = a.ContentId,
                disposition = a.Disposition,
            }).ToList(),
        };
        return JsonSerializer.Serialize(summary);
    }
}

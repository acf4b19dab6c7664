using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mailroom.Mime;

/// <summary>One-line JSON summary of a message file, for `mailroom mime summarize`.</summary>
public static class MimeSummary
{
    /// <summary>Files summarized together: parsed in parallel, written in order, so memory holds one batch of lines.</summary>
    private const int BatchSize = 256;

    /// <summary>
    /// Writes one line per file, in the order given. Files are parsed on every core; each line is written with
    /// <see cref="Utf8JsonWriter"/> (no serializer metadata to build at start-up) and a batch goes out in one write.
    /// </summary>
    public static void WriteLines(IReadOnlyList<string> files, TextWriter output)
    {
        var lines = new byte[Math.Min(BatchSize, files.Count)][];
        var text = new StringBuilder();
        for (var start = 0; start < files.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, files.Count - start);
            Parallel.For(0, count, () => new ArrayBufferWriter<byte>(), (i, _, buffer) =>
            {
                buffer.ResetWrittenCount();
                using (var json = new Utf8JsonWriter(buffer)) Write(json, files[start + i]);
                lines[i] = buffer.WrittenSpan.ToArray();
                return buffer;
            }, _ => { });
            text.Clear();
            for (var i = 0; i < count; i++) text.Append(Encoding.UTF8.GetString(lines[i])).Append('\n');
            output.Write(text);
        }
    }

    private static void Write(Utf8JsonWriter json, string file)
    {
        MimeMessage message;
        try
        {
            using var stream = File.OpenRead(file);
            message = MimeMessage.Load(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MimeFormatException or ArgumentException or NotSupportedException)
        {
            json.WriteStartObject();
            json.WriteString("file", file);
            json.WriteString("error", e.Message);
            json.WriteEndObject();
            return;
        }
        json.WriteStartObject();
        json.WriteString("file", file);
        WriteAddresses(json, "from", message.From);
        WriteAddresses(json, "to", message.To);
        WriteAddresses(json, "cc", message.Cc);
        json.WriteString("subject", message.Subject);
        json.WriteString("date", message.Date?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteString("message_id", message.MessageId);
        json.WriteString("text", message.TextBody);
        if (message.HtmlBody is { } html) json.WriteNumber("html_length", html.Length);
        else json.WriteNull("html_length");
        json.WriteStartArray("attachments");
        foreach (var a in message.Attachments)
        {
            json.WriteStartObject();
            json.WriteString("filename", a.FileName);
            json.WriteString("content_type", a.ContentType);
            json.WriteNumber("size", a.Size);
            json.WriteString("content_id", a.ContentId);
            json.WriteString("disposition", a.Disposition);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAddresses(Utf8JsonWriter json, string name, IReadOnlyList<MailboxAddress> list)
    {
        json.WriteStartArray(name);
        foreach (var a in list)
        {
            json.WriteStartObject();
            json.WriteString("name", a.Name);
            json.WriteString("address", a.Address.Length == 0 ? null : a.Address);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}

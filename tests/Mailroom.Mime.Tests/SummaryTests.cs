using System.Text.Json;

namespace Mailroom.Mime.Tests;

public class SummaryTests
{
    private static string Summarize(params string[] files)
    {
        var output = new StringWriter();
        MimeSummary.WriteLines(files, output);
        return output.ToString();
    }

    [Fact]
    public void Summarizes_a_message_in_one_line()
    {
        var b = new MessageBuilder
        {
            From = new MailboxAddress("Ann", "ann@example.com"),
            Subject = "Hi",
            Date = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)),
            TextBody = "Hello",
            HtmlBody = "<p>Hello</p>",
            MessageId = "id1@example.com",
        };
        b.To.Add(new MailboxAddress(null, "bob@example.com"));
        b.Attachments.Add(new OutgoingAttachment("a.txt", "text/plain", [65, 66]));
        var file = Path.GetTempFileName();
        File.WriteAllBytes(file, b.ToBytes());
        var json = Summarize(file);
        File.Delete(file);
        Assert.EndsWith("}\n", json);
        Assert.Single(json.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(["file", "from", "to", "cc", "subject", "date", "message_id", "text", "html_length", "attachments"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ann@example.com", root.GetProperty("from")[0].GetProperty("address").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("to")[0].GetProperty("name").ValueKind);
        Assert.Equal("2024-01-02T02:04:05Z", root.GetProperty("date").GetString());
        Assert.Equal("id1@example.com", root.GetProperty("message_id").GetString());
        Assert.Equal("Hello", root.GetProperty("text").GetString());
        var attachment = root.GetProperty("attachments")[0];
        Assert.Equal(["filename", "content_type", "size", "content_id", "disposition"], attachment.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, attachment.GetProperty("size").GetInt64());
    }

    [Fact]
    public void Unreadable_file_gives_an_error_object()
    {
        var root = JsonDocument.Parse(Summarize("/nonexistent/file.eml")).RootElement;
        Assert.Equal(["file", "error"], root.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Lines_come_in_the_order_of_the_files_across_batches()
    {
        var files = Enumerable.Range(0, 600).Select(i => $"/nonexistent/{i}.eml").ToArray();
        var lines = Summarize(files).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files, lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("file").GetString()));
    }
}

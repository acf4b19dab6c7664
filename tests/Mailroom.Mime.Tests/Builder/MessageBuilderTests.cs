using System.Text;

namespace Mailroom.Mime.Tests.Builder;

public class MessageBuilderTests
{
    private static MessageBuilder Sample() => new()
    {
        From = new MailboxAddress("Agent Smith", "agent@example.com"),
        Subject = "Quarterly report",
        Date = new DateTimeOffset(2024, 5, 1, 10, 30, 0, TimeSpan.FromHours(2)),
        TextBody = "Hello,\nsee attached.\n",
        MessageIdDomain = "example.com",
    };

    [Fact]
    public void Round_trip_gives_back_the_fields()
    {
        var b = Sample();
        b.To.Add(new MailboxAddress("Zoë Ünal", "zoe@example.org"));
        b.Cc.Add(new MailboxAddress(null, "cc@example.org"));
        b.ReplyTo.Add(new MailboxAddress("Replies", "reply@example.com"));
        b.HtmlBody = "<p>Hello, <b>see</b> attached.</p>";
        b.InReplyTo = "parent@example.com";
        b.References.AddRange(["root@example.com", "parent@example.com"]);
        b.Attachments.Add(new OutgoingAttachment("report.pdf", "application/pdf", [1, 2, 3, 4, 5]));
        b.Attachments.Add(new OutgoingAttachment("logo.png", "image/png", [9, 8, 7], "logo@id", Inline: true));
        var m = MimeMessage.Parse(b.ToBytes());

        Assert.Equal("Agent Smith <agent@example.com>", m.From.Single().ToString());
        Assert.Equal("Zoë Ünal <zoe@example.org>", m.To.Single().ToString());
        Assert.Equal("cc@example.org", m.Cc.Single().ToString());
        Assert.Equal("reply@example.com", m.ReplyTo.Single().Address);
        Assert.Equal("Quarterly report", m.Subject);
        Assert.Equal(b.Date, m.Date);
        Assert.EndsWith("@example.com", m.MessageId);
        Assert.Equal("parent@example.com", m.InReplyTo);
        Assert.Equal(["root@example.com", "parent@example.com"], m.References);
        Assert.Equal("Hello,\r\nsee attached.", m.TextBody); // the last line break belongs to the boundary
        Assert.Equal("<p>Hello, <b>see</b> attached.</p>", m.HtmlBody!.TrimEnd());
        var pdf = m.Attachments.Single(a => a.FileName == "report.pdf");
        Assert.Equal([1, 2, 3, 4, 5], pdf.GetContent());
        Assert.Equal("attachment", pdf.Disposition);
        var logo = m.Attachments.Single(a => a.FileName == "logo.png");
        Assert.Equal("logo@id", logo.ContentId);
        Assert.Equal(3, logo.Size);
    }

    [Fact]
    public void Bcc_is_not_written_unless_asked()
    {
        var b = Sample();
        b.Bcc.Add(new MailboxAddress(null, "hidden@example.org"));
        Assert.Empty(MimeMessage.Parse(b.ToBytes()).Bcc);
        b.Options = new BuildOptions { WriteBcc = true };
        Assert.Equal("hidden@example.org", MimeMessage.Parse(b.ToBytes()).Bcc.Single().Address);
    }

    [Theory]
    [InlineData("subject")]
    [InlineData("from name")]
    [InlineData("to address")]
    [InlineData("header value")]
    [InlineData("header name")]
    [InlineData("filename")]
    public void Refuses_header_injection(string where)
    {
        var b = Sample();
        const string evil = "x\r\nBcc: victim@example.org";
        switch (where)
        {
            case "subject": b.Subject = evil; break;
            case "from name": b.From = new MailboxAddress(evil, "a@example.com"); break;
            case "to address": b.To.Add(new MailboxAddress(null, "a@example.com\nX: y")); break;
            case "header value": b.AddHeader("X-Tag", evil); break;
            case "header name": b.AddHeader("X-Tag\r\nBcc", "v"); break;
            case "filename": b.Attachments.Add(new OutgoingAttachment(evil, "text/plain", [1])); break;
        }
        var e = Assert.Throws<ArgumentException>(() => b.ToBytes());
        Assert.False(string.IsNullOrEmpty(e.ParamName));
    }

    [Fact]
    public void Folds_long_headers_at_78_with_crlf()
    {
        var b = Sample();
        b.Subject = string.Join(' ', Enumerable.Repeat("word", 60));
        var text = Encoding.UTF8.GetString(b.ToBytes());
        var headerBlock = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.All(headerBlock.Split("\r\n"), line => Assert.True(line.Length <= 78, line));
        Assert.DoesNotContain("\n", text.Replace("\r\n", ""));
        Assert.Equal(b.Subject, MimeMessage.Parse(b.ToBytes()).Subject);
    }

    [Fact]
    public void Non_ascii_subject_uses_encoded_words_or_raw_utf8_with_smtputf8()
    {
        var b = Sample();
        b.Subject = "Grüße aus Köln — 東京";
        var encoded = Encoding.UTF8.GetString(b.ToBytes());
        Assert.Contains("=?utf-8?", encoded);
        Assert.True(Ascii.IsValid(encoded));
        Assert.Equal(b.Subject, MimeMessage.Parse(b.ToBytes()).Subject);

        b.Options = new BuildOptions { SmtpUtf8 = true };
        var raw = Encoding.UTF8.GetString(b.ToBytes());
        Assert.Contains("Subject: Grüße aus Köln — 東京", raw);
        Assert.Equal(b.Subject, MimeMessage.Parse(b.ToBytes()).Subject);
    }

    [Fact]
    public void Long_or_non_ascii_filenames_use_rfc2231()
    {
        var b = Sample();
        var name = "Auftragsbestätigung für das Projekt mit einem sehr langen Namen ünd Ümlauten.pdf";
        b.Attachments.Add(new OutgoingAttachment(name, "application/pdf", [1]));
        var text = Encoding.UTF8.GetString(b.ToBytes());
        Assert.Contains("filename*0*=utf-8''", text);
        Assert.Equal(name, MimeMessage.Parse(b.ToBytes()).Attachments.Single().FileName);
    }

    [Fact]
    public void Forwarded_message_is_attached_as_rfc822()
    {
        var inner = Sample();
        inner.Subject = "Original";
        var innerBytes = inner.ToBytes();
        var b = Sample();
        b.ForwardedMessage = innerBytes;
        var m = MimeMessage.Parse(b.ToBytes());
        var forwarded = Assert.IsType<MessagePart>(m.Attachments.Single().Entity);
        Assert.Equal("Original", forwarded.Message.Subject);
        Assert.Equal(innerBytes.Length - 2, forwarded.Message.Size); // its last CRLF belongs to the closing boundary
    }

    [Fact]
    public void Boundaries_and_message_ids_are_unique()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => MimeMessage.Parse(Sample().ToBytes()).MessageId).ToHashSet();
        Assert.Equal(50, ids.Count);
    }

    [Fact]
    public void Parse_then_write_gives_back_the_same_bytes()
    {
        var bytes = Encoding.Latin1.GetBytes("From: a@b\nSubject: x\n\nbody\r\nmixed\n");
        using var output = new MemoryStream();
        MimeMessage.Parse(bytes).WriteTo(output);
        Assert.Equal(bytes, output.ToArray());
    }
}

using System.Text;
using Mailroom.Mime.Tests.Corpus;

namespace Mailroom.Mime.Tests.Parser;

public class ParserTests
{
    private static byte[] Msg(string s) => Encoding.UTF8.GetBytes(s.Replace("\n", "\r\n"));

    public static IEnumerable<object[]> AllCorpusMessages() =>
        Directory.EnumerateFiles(CorpusPaths.Combine("messages"), "*.eml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(CorpusPaths.Combine("structure"), "*.msg", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetRelativePath(CorpusPaths.Root, f) });

    [Theory]
    [MemberData(nameof(AllCorpusMessages))]
    public void One_byte_reads_give_identical_results_and_bytes(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(CorpusPaths.Root, file));
        var whole = MimeMessage.Parse(bytes);
        foreach (var seekable in new[] { true, false })
        {
            var trickled = MimeMessage.Load(new OneByteStream(bytes, seekable));
            Assert.Equal(Describe(whole), Describe(trickled));
            using var output = new MemoryStream();
            trickled.WriteTo(output);
            Assert.Equal(bytes, output.ToArray());
        }
    }

    private static string Describe(MimeMessage m)
    {
        var sb = new StringBuilder();
        foreach (var e in StalwartAdapter.Flatten(m.Body))
        {
            sb.Append($"{e.GetType().Name} {e.ContentType.MimeType} {e.HeaderStart} {e.BodyStart} {e.BodyEnd} {e.Headers.Count}\n");
            if (e is MimePart p) sb.Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(p.GetContent()))).Append('\n');
            if (e is MessagePart mp) sb.Append(Describe(mp.Message));
        }
        sb.Append($"{m.Subject}|{m.TextBody}|{m.HtmlBody}|{m.Attachments.Count}|{m.Preview}");
        return sb.ToString();
    }

    [Fact]
    public void Random_bytes_give_a_message_or_a_format_exception()
    {
        var random = new Random(20240501);
        var seeds = Directory.EnumerateFiles(CorpusPaths.Combine("messages"), "*.eml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(20).Select(File.ReadAllBytes).ToList();
        for (var i = 0; i < 400; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = new byte[random.Next(0, 4096)];
                random.NextBytes(data);
                for (var k = 0; k < data.Length; k += random.Next(1, 40)) data[k] = (byte)"\n-:= \r"[random.Next(6)];
            }
            else
            {
                data = (byte[])seeds[random.Next(seeds.Count)].Clone();
                for (var k = 0; k < 20 && data.Length > 0; k++) data[random.Next(data.Length)] = (byte)random.Next(256);
            }
            try
            {
                var m = MimeMessage.Parse(data);
                _ = (m.Subject, m.From, m.To, m.Date, m.TextBody, m.HtmlBody, m.Preview, m.References);
                foreach (var a in m.Attachments) _ = (a.FileName, a.Size, a.GetContent());
            }
            catch (MimeFormatException)
            {
            }
        }
    }

    [Fact]
    public void Fifty_megabyte_attachment_parses()
    {
        var content = new byte[50 * 1024 * 1024];
        new Random(7).NextBytes(content);
        var b = new MessageBuilder { From = new MailboxAddress(null, "a@example.com"), TextBody = "big", MessageIdDomain = "example.com" };
        b.Attachments.Add(new OutgoingAttachment("big.bin", "application/octet-stream", content));
        var bytes = b.ToBytes();
        var m = MimeMessage.Load(new MemoryStream(bytes));
        var attachment = m.Attachments.Single();
        Assert.Equal(content.Length, attachment.Size);
        Assert.True(content.AsSpan().SequenceEqual(attachment.GetContent()));
    }

    [Fact]
    public void Headers_keep_order_and_raw_bytes()
    {
        var m = MimeMessage.Parse(Msg("Received: one\nSubject: =?utf-8?q?caf=C3=A9?=\nReceived: two\n\nbody"));
        Assert.Equal(["Received", "Subject", "Received"], m.Headers.Select(h => h.Name));
        Assert.Equal("café", m.Headers["subject"]);
        Assert.Equal(["one", "two"], m.Headers.GetAll("Received").Select(h => h.Value));
        Assert.Equal(" =?utf-8?q?caf=C3=A9?="u8.ToArray(), m.Headers[1].RawValue);
    }

    [Fact]
    public void Text_is_derived_from_html_when_there_is_no_text_part()
    {
        var m = MimeMessage.Parse(Msg("Content-Type: text/html\n\n<html><head><style>x{}</style></head><body><p>Hello&nbsp;<b>world</b></p><p>Second   line</p></body></html>"));
        Assert.Null(m.TextBody);
        Assert.Equal("Hello world\n\nSecond line", m.PlainText);
        Assert.Equal("Hello world Second line", m.Preview);
    }

    [Theory]
    [InlineData("windows-1251", new byte[] { 0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2 }, "Привет")]
    [InlineData("koi8-r", new byte[] { 0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4 }, "Привет")]
    [InlineData("shift_jis", new byte[] { 0x82, 0xb1, 0x82, 0xf1 }, "こん")]
    [InlineData("x-unknown", new byte[] { 0x63, 0x61, 0x66, 0xc3, 0xa9 }, "café")]
    [InlineData("x-unknown", new byte[] { 0x63, 0x61, 0x66, 0xe9 }, "café")]
    [InlineData("us-ascii", new byte[] { 0x63, 0x61, 0x66, 0xe9 }, "café")]
    public void Charsets_decode_with_fallback(string charset, byte[] body, string expected)
    {
        var head = Encoding.ASCII.GetBytes($"Content-Type: text/plain; charset={charset}\r\n\r\n");
        Assert.Equal(expected, MimeMessage.Parse([.. head, .. body]).TextBody);
    }

    [Fact]
    public void Uuencoded_body_decodes()
    {
        var m = MimeMessage.Parse(Msg("Content-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 a.txt\n#86)C\n`\nend\n"));
        Assert.Equal("abc"u8.ToArray(), ((MimePart)m.Body).GetContent());
    }

    [Fact]
    public void Received_clauses_and_tcp_info()
    {
        var r = ReceivedHeader.Parse("from mail.example (mail.example [192.0.2.1] (may be forged)) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384) by mx.example (Postfix) with ESMTPS id 4AbC/12 for <bob@example.org>; Tue, 1 Jul 2003 10:52:37 +0200")!;
        Assert.Equal("mail.example", r.From);
        Assert.Equal("192.0.2.1", r.FromIp);
        Assert.Equal("mail.example", r.FromIpRev);
        Assert.Equal("mx.example", r.By);
        Assert.Equal("ESMTPS", r.With);
        Assert.Equal("TLSv1_3", r.TlsVersion);
        Assert.Equal("TLS_AES_256_GCM_SHA384", r.TlsCipher);
        Assert.Equal("4AbC", r.Id);
        Assert.Equal("bob@example.org", r.For);
        Assert.Equal(new DateTimeOffset(2003, 7, 1, 10, 52, 37, TimeSpan.FromHours(2)), r.Date);

        var helo = ReceivedHeader.Parse("from [10.0.0.1]:5099 (HELO client.example) by relay ([10.0.0.2]:25) with SMTP; 5 Mar 2002 14:11:53 -0000")!;
        Assert.Equal("10.0.0.1", helo.From);
        Assert.Equal("HELO", helo.HeloCommand);
        Assert.Equal("client.example", helo.Helo);
        Assert.Equal("relay", helo.By);
        Assert.Null(ReceivedHeader.Parse("   "));
    }

    [Theory]
    [InlineData("20 11 (some comments) 79 05:34:27 -0300", "1979-11-20T05:34:27-03:00")]
    [InlineData("Thu, 10 Jul 1997 14:53:31 EST5EDT", "1997-07-10T14:53:31-05:00")]
    [InlineData("Thu, 02 Apr 2020 07:53:55.516 +0000", "2020-04-02T07:53:55+00:00")]
    [InlineData("by host with SMTP id x;\tMon, 10 Oct 2022 10:31:15 -0700 (PDT)", "2022-10-10T10:31:15-07:00")]
    [InlineData("Tue, 1 Jul 2003 ((invalid)", null)]
    [InlineData("Tue, 1 Jul 2003", null)]
    [InlineData(" 4 8 15 16 23 42", null)]
    public void Lenient_dates(string value, string? expected) =>
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), MimeDate.Parse(value));

    [Fact]
    public void Rfc2231_malformed_sections()
    {
        var ct = ContentType.Parse("test/x; k*9=c; k*0=a; k*1*=b%25; j*=us-ascii''z; *=no; =no2; n*0*=iso-8859-1'es'%D1; n*1*=iso-8859-1'%E1")!;
        Assert.Equal(["k=ab%c", "j=z", "n=\u00d1\u00e1"], ct.Parameters.Select(p => $"{p.Name}={p.Value}"));
        Assert.Equal("es", ct.Parameters[2].Language);
    }

    [Fact]
    public void Mailboxes_before_a_group_keep_their_place()
    {
        var groups = MailboxAddress.ParseGroups("a@example.com, Friends: b@example.com;, c@example.com");
        Assert.Equal([null, "Friends", null], groups.Select(g => g.Name));
        Assert.Equal(["a@example.com", "b@example.com", "c@example.com"], MailboxAddress.ParseList("a@example.com, Friends: b@example.com;, c@example.com").Select(m => m.Address));
    }

    [Theory]
    [InlineData("Rita <rita@example.com")]
    [InlineData("<rita@example.com")]
    [InlineData("\"Rita\" <rita@example.com (comment)")]
    [InlineData("Rita <rita@example.com \"unclosed")]
    public void One_address_with_an_unclosed_angle_is_not_a_mailbox(string value)
    {
        Assert.False(MailboxAddress.TryParse(value, out _));
        // Received mail is read leniently: the same text in a header still names Rita's mailbox.
        Assert.Contains("rita@example.com", Assert.Single(MailboxAddress.ParseList(value)).Address);
    }

    [Theory]
    [InlineData("Rita <rita@example.com>", "Rita", "rita@example.com")]
    [InlineData("<rita@example.com>", null, "rita@example.com")]
    [InlineData("rita@example.com", null, "rita@example.com")]
    [InlineData("\"Rita <R>\" <rita@example.com>", "Rita <R>", "rita@example.com")]
    public void One_address_with_closed_angles_is_a_mailbox(string value, string? name, string address)
    {
        Assert.True(MailboxAddress.TryParse(value, out var mailbox));
        Assert.Equal(name, mailbox.Name);
        Assert.Equal(address, mailbox.Address);
    }
}

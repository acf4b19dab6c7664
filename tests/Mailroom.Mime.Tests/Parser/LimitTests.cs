using System.Text;

namespace Mailroom.Mime.Tests.Parser;

public class LimitTests
{
    private static MimeFormatException Fails(string message, MimeParserOptions options) =>
        Assert.Throws<MimeFormatException>(() => MimeMessage.Parse(Encoding.ASCII.GetBytes(message), options));

    [Fact]
    public void MaxNestingDepth()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 10; i++) sb.Append($"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n");
        sb.Append("\r\nleaf\r\n");
        Assert.NotNull(MimeMessage.Parse(Encoding.ASCII.GetBytes(sb.ToString())));
        Assert.Contains("MaxNestingDepth", Fails(sb.ToString(), new MimeParserOptions { MaxNestingDepth = 5 }).Message);
    }

    [Fact]
    public void MaxHeaderCount()
    {
        var message = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: v\r\n")) + "\r\nbody";
        Assert.Contains("MaxHeaderCount", Fails(message, new MimeParserOptions { MaxHeaderCount = 10 }).Message);
    }

    [Fact]
    public void MaxHeaderLength()
    {
        var message = "Subject: a\r\n" + string.Concat(Enumerable.Repeat(" folded words\r\n", 100)) + "\r\nbody";
        Assert.Contains("MaxHeaderLength", Fails(message, new MimeParserOptions { MaxHeaderLength = 500 }).Message);
    }

    [Fact]
    public void MaxLineLength()
    {
        var message = "Subject: " + new string('x', 5000) + "\r\n\r\nbody";
        Assert.Contains("MaxLineLength", Fails(message, new MimeParserOptions { MaxLineLength = 1000 }).Message);
    }

    [Fact]
    public void MaxParts()
    {
        var message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + string.Concat(Enumerable.Repeat("--b\r\n\r\npart\r\n", 30)) + "--b--\r\n";
        Assert.Contains("MaxParts", Fails(message, new MimeParserOptions { MaxParts = 10 }).Message);
    }

    [Fact]
    public void MaxMessageSize()
    {
        var message = "Subject: x\r\n\r\n" + new string('a', 10_000);
        Assert.Contains("MaxMessageSize", Fails(message, new MimeParserOptions { MaxMessageSize = 1000 }).Message);
        foreach (var seekable in new[] { true, false })
            Assert.Throws<MimeFormatException>(() => MimeMessage.Load(new OneByteStream(Encoding.ASCII.GetBytes(message), seekable), new MimeParserOptions { MaxMessageSize = 1000 }));
    }

    [Fact]
    public void MaxEncodedMessageDepth()
    {
        var inner = "Subject: inner\r\n\r\nhi\r\n";
        for (var i = 0; i < 5; i++)
            inner = "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(Encoding.ASCII.GetBytes(inner)) + "\r\n";
        Assert.Contains("MaxEncodedMessageDepth", Fails(inner, new MimeParserOptions { MaxEncodedMessageDepth = 2 }).Message);
    }

    [Fact]
    public void Default_is_shared_and_sane()
    {
        Assert.Same(MimeParserOptions.Default, MimeParserOptions.Default);
        Assert.True(MimeParserOptions.Default.MaxMessageSize >= 100 * 1024 * 1024);
    }
}

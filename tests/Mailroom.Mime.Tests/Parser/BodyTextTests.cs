using System.Text;

namespace Mailroom.Mime.Tests.Parser;

/// <summary>
/// The text body where readers of real mail disagree (bench/mime/agreement.py groups the corpus by these causes):
/// what we read, and why, each with its expected result.
/// </summary>
public class BodyTextTests
{
    private static string? Text(string headers, byte[] body) =>
        MimeMessage.Parse([.. Encoding.UTF8.GetBytes("From: a@example.com\r\n" + headers + "\r\n"), .. body]).TextBody;

    private static string? Text(string headers, string body) => Text(headers, Encoding.UTF8.GetBytes(body));

    [Theory]
    // RFC 2045 5.2: a Content-Type that names no type/subtype is read as the default, text/plain; its charset is kept.
    [InlineData("Content-Type: text\r\n", "plain\r\n")]
    [InlineData("Content-Type: not a type\r\n", "plain\r\n")]
    [InlineData("Content-Type: text/\r\n", "plain\r\n")]
    [InlineData("Content-Type: text; charset=utf-8\r\n", "plain\r\n")]
    public void Invalid_content_type_is_text_plain(string headers, string body) => Assert.Equal(body, Text(headers, body));

    [Fact]
    public void Invalid_content_type_keeps_its_charset() =>
        Assert.Equal("café", Text("Content-Type: text; charset=iso-8859-1\r\n", [(byte)'c', (byte)'a', (byte)'f', 0xE9]));

    [Fact]
    public void Invalid_content_type_in_a_digest_is_a_message() =>
        Assert.IsType<MessagePart>(Assert.IsType<Multipart>(MimeMessage.Parse(Encoding.ASCII.GetBytes(
            "Content-Type: multipart/digest; boundary=b\r\n\r\n--b\r\nContent-Type: junk\r\n\r\nSubject: in\r\n\r\nx\r\n--b--\r\n")).Body).Children[0]);

    [Theory]
    // RFC 2045 6.7(3): whitespace a transport added after a soft line break's '=' is deleted; Python's email keeps "= ".
    [InlineData("soft= \r\nbreak\r\n", "softbreak\r\n")]
    [InlineData("soft=\t \r\nbreak", "softbreak")]
    public void Quoted_printable_soft_break_with_trailing_whitespace(string body, string expected) =>
        Assert.Equal(expected, Text("Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n", body));

    [Theory]
    // 8-bit text with no usable charset: UTF-8 when valid, else Windows-1252; Python's email gives U+FFFD or fails.
    [InlineData("Content-Type: text/plain\r\n", new byte[] { 0x63, 0xC3, 0xA9 }, "cé")]
    [InlineData("Content-Type: text/plain; charset=us-ascii\r\n", new byte[] { 0x63, 0xE9 }, "cé")]
    [InlineData("Content-Type: text/plain; charset=x-unknown\r\n", new byte[] { 0x63, 0xC3, 0xA9 }, "cé")]
    public void Undeclared_8bit_text(string headers, byte[] body, string expected) => Assert.Equal(expected, Text(headers, body));

    [Theory]
    // RFC 2046 5.1.1: the line break before a delimiter belongs to it; a part that no delimiter ends keeps its last one.
    [InlineData("--b\r\n\r\nbody\r\n--b--\r\n", "body")]
    [InlineData("--b\r\n\r\nbody\r\n", "body\r\n")]
    // A line that only begins like the delimiter but lacks part of it is body; one that begins with it is a delimiter.
    [InlineData("--b\r\n\r\nbody\r\n--c\r\n--b--\r\n", "body\r\n--c")]
    [InlineData("--b\r\n\r\nbody\r\n--b trailing words\r\n\r\nnext\r\n--b--", "body")]
    public void Delimiters(string body, string expected) => Assert.Equal(expected, Text("Content-Type: multipart/mixed; boundary=b\r\n", body));
}

using System.Text;

namespace Mailroom.Mime.Tests.Parser;

/// <summary>Header unfolding (RFC 5322 2.2.3) and how it meets RFC 2047 encoded words, read through a whole message.</summary>
public class UnfoldingTests
{
    private static string? Subject(string folded) =>
        MimeMessage.Parse(Encoding.UTF8.GetBytes("Subject:" + folded + "\r\n\r\nbody\r\n")).Subject;

    [Theory]
    // Only the CRLF goes: the indent of a continuation line is part of the value.
    [InlineData(" Fwd:\r\n Saying Hello", "Fwd: Saying Hello")]
    [InlineData(" Fwd: \r\n\tSaying \r\n Hello", "Fwd: \tSaying  Hello")]
    [InlineData(" a\r\n    b", "a    b")]
    [InlineData(" a\r\n\tb", "a\tb")]
    // A fold with no whitespace before it joins the words through the indent only.
    [InlineData(" long-\r\n word", "long- word")]
    // Bare LF line ends fold the same way.
    [InlineData(" a\n  b", "a  b")]
    // The value's ends are trimmed, including a whitespace-only last line.
    [InlineData("   a  \r\n   ", "a")]
    public void Unfolding_removes_only_the_line_breaks(string folded, string expected) =>
        Assert.Equal(expected, Subject(folded));

    [Theory]
    // RFC 2047 6.2: linear whitespace between adjacent encoded words is dropped, however it was folded.
    [InlineData(" =?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab")]
    [InlineData(" =?utf-8?q?a?=\r\n \t =?utf-8?q?b?=", "ab")]
    [InlineData(" =?utf-8?B?w6k=?=\r\n\t=?utf-8?B?w6k=?=", "éé")]
    // Between an encoded word and text the whitespace is text, kept as the fold left it.
    [InlineData(" =?utf-8?q?caf=C3=A9?=\r\n  au lait", "café  au lait")]
    [InlineData(" Re:\r\n =?utf-8?q?caf=C3=A9?=", "Re: café")]
    // A fold inside an encoded word (forbidden by RFC 2047 2) leaves its indent in the word: a B word with a space is no word.
    [InlineData(" =?utf-8?B?w6\r\n k=?=", "=?utf-8?B?w6 k=?=")]
    public void Encoded_words_and_folding(string folded, string expected) =>
        Assert.Equal(expected, Subject(folded));

    [Fact]
    public void Raw_value_keeps_the_folding() =>
        Assert.Equal(" a\r\n\tb"u8.ToArray(), MimeMessage.Parse(Encoding.UTF8.GetBytes("Subject: a\r\n\tb\r\n\r\nx")).Headers.Find("Subject")!.RawValue);
}

using System.Text.Json;

namespace Mailroom.Mime.Tests.Corpus;

/// <summary>Every messages/**/NNN.eml against mail-parser's NNN.json, and with CRLF line ends against NNN.crlf.json.</summary>
public class MessageCorpusTests
{
    /// <summary>Where we read a message differently on purpose: case → reason.</summary>
    public static readonly Dictionary<string, string> Excused = new()
    {
        ["legacy/016.eml lf"] = UU,
        ["legacy/017.eml crlf"] = UU,
        ["legacy/017.eml lf"] = UU,
        ["legacy/026.eml crlf"] = UU,
        ["legacy/026.eml lf"] = UU,
        ["legacy/048.eml crlf"] = UU,
        ["legacy/048.eml lf"] = UU,
        ["legacy/049.eml lf"] = CR,
        ["malformed/000.eml crlf"] = NOBLANK,
        ["malformed/000.eml lf"] = NOBLANK,
        ["malformed/001.eml crlf"] = CHOICE,
        ["malformed/001.eml lf"] = CHOICE,
        ["malformed/002.eml crlf"] = NODELIM,
        ["malformed/002.eml lf"] = NODELIM,
        ["malformed/003.eml crlf"] = CHOICE,
        ["malformed/003.eml lf"] = CHOICE,
        ["malformed/004.eml crlf"] = CHOICE,
        ["malformed/004.eml lf"] = CHOICE,
        ["malformed/006.eml crlf"] = CHOICE,
        ["malformed/006.eml lf"] = CHOICE,
        ["malformed/007.eml crlf"] = DUPCT,
        ["malformed/007.eml lf"] = DUPCT,
        ["malformed/008.eml crlf"] = CHOICE,
        ["malformed/008.eml lf"] = CHOICE,
        ["malformed/009.eml crlf"] = OUTER,
        ["malformed/009.eml lf"] = OUTER,
        ["malformed/011.eml crlf"] = OUTER,
        ["malformed/011.eml lf"] = OUTER,
        ["malformed/012.eml crlf"] = OUTER,
        ["malformed/012.eml lf"] = OUTER,
        ["malformed/016.eml crlf"] = CHOICE,
        ["malformed/016.eml lf"] = CHOICE,
        ["malformed/019.eml crlf"] = DATE,
        ["malformed/019.eml lf"] = DATE,
        ["malformed/020.eml crlf"] = DUPCT,
        ["malformed/020.eml lf"] = DUPCT,
        ["malformed/021.eml crlf"] = DUPCT,
        ["malformed/021.eml lf"] = DUPCT,
        ["malformed/022.eml crlf"] = MSGPART,
        ["malformed/022.eml lf"] = MSGPART,
        ["rfc/000.eml crlf"] = RFC000,
        ["rfc/000.eml lf"] = RFC000,
        ["thirdparty/002.eml crlf"] = GARBAGE,
        ["thirdparty/002.eml lf"] = GARBAGE,
        ["thirdparty/005.eml crlf"] = MIDLINE,
        ["thirdparty/005.eml lf"] = MIDLINE,
        ["thirdparty/010.eml crlf"] = DUPPARAM,
        ["thirdparty/010.eml lf"] = DUPPARAM,
        ["thirdparty/015.eml crlf"] = DUPCT,
        ["thirdparty/015.eml lf"] = DUPCT,
    };

    private const string UU =
        "x-uuencode transfer encoding: we decode it (a Content-Transfer-Encoding old Eudora/Outlook write); mail-parser has no uuencode decoder and returns the still-encoded text as the content.";

    private const string CR =
        "The file ends with a lone CR after the last line break: it is body content, so the text ends with it. mail-parser drops it in 049.json but keeps it in 049.crlf.json (which we match).";

    private const string NOBLANK =
        "Each delimiter is followed by a header line and then the next delimiter, with no blank line: RFC 2046 body-part := MIME-part-headers [CRLF *OCTET], so each is a part with headers and no body (4 parts). mail-parser drops them all.";

    private const string CHOICE =
        "Body choice on a malformed tree: by RFC 8621 section 4.1.4 the part (text/plain or untyped, no Content-Disposition, no name, first in its multipart/mixed or not in a related) is inline and goes to textBody/htmlBody. mail-parser files it as an attachment when the enclosing multipart is unterminated or reuses a boundary, or the part is empty.";

    private const string NODELIM =
        "multipart/mixed with a boundary but no delimiter line: all content is preamble (RFC 2046 5.1.1: preamble is to be ignored), and the entity stays a multipart. mail-parser turns the whole body into a text part.";

    private const string DUPCT =
        "Two Content-Type fields in one header block (RFC 2045 allows one): we use the first, as Python's email does, which keeps the multipart structure the sender meant; mail-parser uses the last and reads the inner multipart as one text part.";

    private const string OUTER =
        "An inner multipart is not closed and a line with the outer boundary follows: we close the inner part there. RFC 2046 5.1.1 forbids a boundary inside the encapsulated parts, so that line can only be the outer delimiter; mime4j does the same (structure corpus). mail-parser only looks for the innermost boundary and keeps the rest as text.";

    private const string DATE =
        "Date field 'Tue, 7 Apr 2026 10:00:t <rimap-test@example.test>': 't' is not seconds and the rest is an address; RFC 5322 3.3 gives no date-time. mail-parser salvages 10:00:00.";

    private const string MSGPART =
        "Content-Type message/rfc822 whose content has no header fields: we parse it as the embedded message it is labelled (no fields, the text as body; RFC 2046 5.2.1), bytes unchanged. mail-parser falls back to a text part.";

    private const string RFC000 =
        "RFC 1341 example: mail-parser types un-encoded audio/basic and image/jpeg parts as Text, we keep their media type (content is the same bytes); and the embedded message's From/To are '=?US-ASCII?Q?...?=' words containing no address, where mail-parser reports a mailbox with a name and no address and we report no mailbox (RFC 5322 mailbox requires an addr-spec).";

    private const string GARBAGE =
        "A base64 text/plain part whose content is '?garbage': RFC 2045 6.8 decoding skips '?' and decodes 'garbage' (three bytes), and RFC 8621 4.1.4 keeps the text/plain part in textBody. mail-parser gives up on the part, keeps the raw text and makes it an attachment.";

    private const string MIDLINE =
        "'invalid--1--' at the end of a line: RFC 2046 5.1.1 requires a delimiter to begin a line, so it is body text; mail-parser cuts the text at a boundary found mid-line. (crlf: part 1 also ends with a byte that is not valid in its charset; we show U+FFFD for it, mail-parser drops it.)";

    private const string DUPPARAM =
        "Content-Type has comment=\"\" and then comment=\"...\" (a folded second parameter of the same name): RFC 2045 5 makes parameter names unique; we keep the first, mail-parser the last.";

    public static IEnumerable<object[]> Cases()
    {
        var root = CorpusPaths.Combine("messages");
        foreach (var eml in Directory.EnumerateFiles(root, "*.eml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(root, eml).Replace('\\', '/');
            yield return [name, "lf"];
            yield return [name, "crlf"];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_mail_parser(string file, string lineEnds)
    {
        var problems = Check(file, lineEnds);
        var key = $"{file} {lineEnds}";
        if (Excused.ContainsKey(key))
        {
            Assert.True(problems.Count > 0, $"{key} is excused but now matches: remove it from the list.");
            return;
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Our differences from mail-parser's JSON for one message (empty when it matches).</summary>
    public static List<string> Check(string file, string lineEnds)
    {
        var path = Path.Combine(CorpusPaths.Combine("messages"), file);
        var bytes = File.ReadAllBytes(path);
        if (lineEnds == "crlf") bytes = CorpusPaths.ToCrlf(bytes);
        var json = Path.ChangeExtension(path, lineEnds == "crlf" ? ".crlf.json" : ".json");
        using var expected = JsonDocument.Parse(File.ReadAllBytes(json));
        return StalwartAdapter.Compare(MimeMessage.Parse(bytes), expected.RootElement);
    }
}

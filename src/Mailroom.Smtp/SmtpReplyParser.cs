namespace Mailroom.Smtp;

/// <summary>
/// Assembles replies from the lines a server sends (<c>250-...</c> continues, <c>250 ...</c> ends),
/// and takes the enhanced status code off each line when its class matches the reply code.
/// </summary>
public sealed class SmtpReplyParser
{
    private readonly List<string> _lines = [];
    private int _code;
    private string? _enhancedCode;

    /// <summary>Adds one line (without CRLF). Returns the reply once its last line has arrived.</summary>
    /// <exception cref="SmtpProtocolException">The line is not a reply line or its code differs from the previous lines.</exception>
    public SmtpReply? Add(string line)
    {
        if (line.Length < 3 || !char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2])
            || line[0] is < '2' or > '5' || (line.Length > 3 && line[3] is not (' ' or '-')))
        {
            throw new SmtpProtocolException($"Malformed SMTP reply line: {Truncate(line)}");
        }
        var code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (_lines.Count > 0 && code != _code)
        {
            throw new SmtpProtocolException($"SMTP reply code changed within a multi-line reply: {Truncate(line)}");
        }
        _code = code;
        var text = line.Length > 4 ? line[4..] : "";
        var enhanced = LeadingEnhancedCode(text, line[0]);
        if (enhanced is not null)
        {
            _enhancedCode ??= enhanced;
            text = text[enhanced.Length..].TrimStart(' ');
        }
        _lines.Add(text);
        if (line.Length > 3 && line[3] == '-')
        {
            return null;
        }
        var reply = new SmtpReply(_code, _enhancedCode, [.. _lines]);
        _lines.Clear();
        _enhancedCode = null;
        return reply;
    }

    /// <summary>Parses a complete reply given as wire text (lines separated by CRLF).</summary>
    public static SmtpReply Parse(string text)
    {
        var parser = new SmtpReplyParser();
        SmtpReply? reply = null;
        foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            if (reply is not null)
            {
                throw new SmtpProtocolException("Text continues after the last line of the reply.");
            }
            reply = parser.Add(line);
        }
        return reply ?? throw new SmtpProtocolException("The reply has no final line.");
    }

    // class.subject.detail where class is 2, 4 or 5 and equals the first digit of the reply code (RFC 3463).
    private static string? LeadingEnhancedCode(string text, char replyClass)
    {
        if (text.Length < 5 || text[0] != replyClass || text[1] != '.')
        {
            return null;
        }
        var i = 2;
        var subject = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && subject < 4) { i++; subject++; }
        if (subject == 0 || i >= text.Length || text[i] != '.')
        {
            return null;
        }
        i++;
        var detail = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && detail < 4) { i++; detail++; }
        if (detail == 0 || (i < text.Length && text[i] != ' '))
        {
            return null;
        }
        return text[..i];
    }

    private static string Truncate(string line) => line.Length > 80 ? line[..80] + "..." : line;
}

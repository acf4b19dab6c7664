using System.Text;

namespace Mailroom.Smtp;

/// <summary>
/// One SMTP reply: a three-digit code, an optional RFC 3463 enhanced status code and one or more text lines.
/// </summary>
public sealed class SmtpReply
{
    public SmtpReply(int code, string? enhancedCode, params IReadOnlyList<string> lines)
    {
        if (code is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "An SMTP reply code is between 200 and 599.");
        }
        Code = code;
        EnhancedCode = enhancedCode;
        Lines = lines.Count == 0 ? [""] : lines;
    }

    public int Code { get; }

    /// <summary>The enhanced status code such as <c>2.1.5</c>, or null where RFC 3463 defines none (greeting, EHLO, 334, 354).</summary>
    public string? EnhancedCode { get; }

    public IReadOnlyList<string> Lines { get; }

    /// <summary>The text of every line joined by a space, without codes.</summary>
    public string Text => string.Join(" ", Lines);

    public bool IsPositiveCompletion => Code is >= 200 and < 300;

    public bool IsPositiveIntermediate => Code is >= 300 and < 400;

    public bool IsTransientNegative => Code is >= 400 and < 500;

    public bool IsPermanentNegative => Code >= 500;

    /// <summary>The reply as sent on the wire: <c>250-first</c> ... <c>250 last</c>, each line ending in CRLF.</summary>
    public string ToWireFormat()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            text.Append(Code).Append(i == Lines.Count - 1 ? ' ' : '-');
            if (EnhancedCode is not null)
            {
                text.Append(EnhancedCode).Append(' ');
            }
            text.Append(Lines[i]).Append("\r\n");
        }
        return text.ToString();
    }

    /// <summary>A one-line rendering for logs and delivery results, e.g. <c>550 5.1.1 No such user</c>.</summary>
    public override string ToString() =>
        EnhancedCode is null ? $"{Code} {Text}" : $"{Code} {EnhancedCode} {Text}";
}

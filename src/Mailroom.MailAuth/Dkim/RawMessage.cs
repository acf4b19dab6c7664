using System.Text;

namespace Mailroom.MailAuth.Dkim;

/// <summary>One header field exactly as it appeared, continuation lines included, without its final CRLF.</summary>
/// <param name="Name">The field name as written (before the colon, trailing whitespace removed).</param>
/// <param name="Raw">The whole field as Latin-1 text, so every octet maps to one char and back.</param>
internal sealed record HeaderField(string Name, string Raw)
{
    /// <summary>Everything after the first colon.</summary>
    public string Value => Raw[(Raw.IndexOf(':') + 1)..];
}

/// <summary>
/// Splits raw message octets into header fields and body without interpreting MIME. Lines end in CRLF;
/// a bare LF is accepted as a line end too and read as CRLF, as a message written to disk may have them.
/// </summary>
internal sealed class RawMessage
{
    public required IReadOnlyList<HeaderField> Headers { get; init; }
    public required ReadOnlyMemory<byte> Body { get; init; }

    public static RawMessage Parse(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var headers = new List<HeaderField>();
        var current = new StringBuilder();
        var position = 0;
        while (position < span.Length)
        {
            var newline = span[position..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? span.Length : position + newline;
            var next = newline < 0 ? span.Length : lineEnd + 1;
            var contentEnd = lineEnd > position && span[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            var line = Encoding.Latin1.GetString(span[position..contentEnd]);
            position = next;

            if (line.Length == 0)
                break; // the empty line that separates header and body
            if (line[0] is ' ' or '\t' && current.Length > 0)
            {
                current.Append("\r\n").Append(line);
                continue;
            }
            Flush(current, headers);
            current.Append(line);
        }
        Flush(current, headers);
        return new RawMessage { Headers = headers, Body = message[position..] };
    }

    private static void Flush(StringBuilder field, List<HeaderField> headers)
    {
        if (field.Length == 0)
            return;
        var raw = field.ToString();
        var colon = raw.IndexOf(':');
        // A line without a colon is not a header field; it is kept (for simple canonicalization) under no name.
        var name = colon < 0 ? "" : raw[..colon].TrimEnd(' ', '\t');
        headers.Add(new HeaderField(name, raw));
        field.Clear();
    }
}

using System.Text;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>RFC 2047 encoded words: lenient decoding of received text, strict encoding of outgoing text.</summary>
public static class Rfc2047
{
    /// <summary>
    /// Decodes every well-formed encoded word. Whitespace between two encoded words is dropped and
    /// adjacent words in the same charset are joined before decoding, so a character split across words
    /// survives. Broken words stay as written.
    /// </summary>
    public static string DecodeText(string text)
    {
        if (!text.Contains("=?", StringComparison.Ordinal)) return text;
        var sb = new StringBuilder(text.Length);
        var pending = new List<byte>();
        string? pendingCharset = null;
        var i = 0;
        var lastWasWord = false;
        while (i < text.Length)
        {
            var start = text.IndexOf("=?", i, StringComparison.Ordinal);
            if (start < 0) start = text.Length;
            var literal = text.AsSpan(i, start - i);
            if (start < text.Length && TryParseWord(text, start, out var charset, out var bytes, out var end))
            {
                if (!(lastWasWord && literal.IsWhiteSpace()))
                {
                    Flush();
                    sb.Append(literal);
                }
                if (pendingCharset is not null && !string.Equals(pendingCharset, charset, StringComparison.OrdinalIgnoreCase)) Flush();
                pendingCharset = charset;
                pending.AddRange(bytes);
                lastWasWord = true;
                i = end;
                continue;
            }
            Flush();
            // Not a word: keep the text up to and including "=?" and look again after it.
            var stop = Math.Min(text.Length, start + 2);
            sb.Append(text, i, stop - i);
            lastWasWord = false;
            i = stop;
        }
        Flush();
        return sb.ToString();

        void Flush()
        {
            if (pendingCharset is null) return;
            sb.Append(Charsets.Decode(pending.ToArray(), pendingCharset));
            pending.Clear();
            pendingCharset = null;
        }
    }

    private static bool TryParseWord(string text, int start, out string charset, out byte[] bytes, out int end)
    {
        charset = "";
        bytes = [];
        end = start;
        var q1 = text.IndexOf('?', start + 2);
        if (q1 < 0 || q1 + 2 >= text.Length || text[q1 + 2] != '?') return false;
        charset = text[(start + 2)..q1];
        if (charset.Length == 0 || charset.AsSpan().IndexOfAny(" \t\r\n=") >= 0) return false;
        var star = charset.IndexOf('*');
        if (star >= 0) charset = charset[..star]; // RFC 2231 language suffix
        var encoding = char.ToUpperInvariant(text[q1 + 1]);
        if (encoding is not ('B' or 'Q')) return false;
        var close = text.IndexOf("?=", q1 + 3, StringComparison.Ordinal);
        if (close < 0) return false;
        var payload = text.AsSpan(q1 + 3, close - q1 - 3);
        if (payload.IndexOfAny(" \t\r\n") >= 0 && encoding == 'B') return false;
        bytes = encoding == 'B' ? Base64Lenient(payload) : QDecode(payload);
        end = close + 2;
        return true;
    }

    private static byte[] Base64Lenient(ReadOnlySpan<char> payload)
    {
        var decoder = new Base64Decoder();
        var input = new byte[payload.Length];
        for (var i = 0; i < payload.Length; i++) input[i] = (byte)payload[i];
        var output = new byte[input.Length];
        var n = decoder.Decode(input, output);
        return output[..n];
    }

    private static byte[] QDecode(ReadOnlySpan<char> payload)
    {
        var output = new List<byte>(payload.Length);
        for (var i = 0; i < payload.Length; i++)
        {
            var c = payload[i];
            if (c == '_') output.Add((byte)' ');
            else if (c == '=' && i + 2 < payload.Length && IsHex(payload[i + 1]) && IsHex(payload[i + 2]))
            {
                output.Add((byte)(Hex(payload[i + 1]) << 4 | Hex(payload[i + 2])));
                i += 2;
            }
            else if (c < 256) output.Add((byte)c);
            else output.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return [.. output];
    }

    internal static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    internal static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// Encodes text as UTF-8 encoded words of at most 75 characters each, separated by a space,
    /// choosing Q when it is shorter than B. Characters are never split across words.
    /// </summary>
    public static string EncodeText(string text, bool phrase = false)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var nonAscii = bytes.Count(b => b >= 0x80 || b == '=' || b == '?' || b == '_');
        var useQ = nonAscii * 3 < bytes.Length;
        const string prefix = "=?utf-8?";
        const int maxWord = 75;
        var sb = new StringBuilder();
        var e = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        var pendingText = new StringBuilder();
        while (e.MoveNext())
        {
            var element = (string)e.Current;
            var candidate = pendingText.ToString() + element;
            if (EncodedLength(candidate, useQ, phrase) + prefix.Length + 4 > maxWord && pendingText.Length > 0)
            {
                AppendWord(pendingText.ToString());
                pendingText.Clear();
            }
            pendingText.Append(element);
        }
        if (pendingText.Length > 0) AppendWord(pendingText.ToString());
        return sb.ToString();

        void AppendWord(string chunk)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(prefix).Append(useQ ? "Q?" : "B?").Append(Encode(chunk, useQ, phrase)).Append("?=");
        }
    }

    private static int EncodedLength(string chunk, bool useQ, bool phrase) => Encode(chunk, useQ, phrase).Length;

    private static string Encode(string chunk, bool useQ, bool phrase)
    {
        var bytes = Encoding.UTF8.GetBytes(chunk);
        if (!useQ) return Convert.ToBase64String(bytes);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b == ' ') sb.Append('_');
            else if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                     || (!phrase && b is (byte)'.' or (byte)',' or (byte)'-' or (byte)':' or (byte)'/' or (byte)'(' or (byte)')' or (byte)'!'))
                sb.Append((char)b);
            else sb.Append('=').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }
}

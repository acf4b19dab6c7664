using System.Globalization;
using System.Text;
using Mailroom.Core.Automation;

namespace Mailroom.Server.Mail.Spam;

/// <summary>
/// The spamc protocol (SpamAssassin's spamd, <c>SPAMC/1.5</c>) without I/O: the CHECK request for a message, and the
/// verdict read from spamd's answer, <c>SPAMD/1.1 0 EX_OK</c> then <c>Spam: True ; 1005.2 / 5.0</c>.
/// </summary>
public static class SpamcProtocol
{
    public static byte[] CheckRequest(ReadOnlySpan<byte> message)
    {
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"CHECK SPAMC/1.5\r\nContent-length: {message.Length}\r\n\r\n"));
        var request = new byte[head.Length + message.Length];
        head.CopyTo(request, 0);
        message.CopyTo(request.AsSpan(head.Length));
        return request;
    }

    /// <exception cref="SpamdProtocolException">The answer is not a spamd answer, or reports an error.</exception>
    public static SpamVerdict ParseCheckAnswer(string answer)
    {
        var lines = answer.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 3 || !status[0].StartsWith("SPAMD/", StringComparison.Ordinal))
            throw new SpamdProtocolException($"not a spamd answer: '{Shorten(lines[0])}'");
        if (status[1] != "0") throw new SpamdProtocolException($"spamd answered {status[1]} {status[2]}");
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) break;
            var colon = line.IndexOf(':');
            if (colon < 0 || !line[..colon].Trim().Equals("Spam", StringComparison.OrdinalIgnoreCase)) continue;
            // "True ; 1005.2 / 5.0"
            var parts = line[(colon + 1)..].Split([';', '/'], StringSplitOptions.TrimEntries);
            if (parts.Length == 3 && bool.TryParse(parts[0], out var isSpam)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
                && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold))
                return new SpamVerdict(isSpam ? SpamVerdict.Spam : SpamVerdict.Ham, score, threshold);
            throw new SpamdProtocolException($"unreadable Spam header: '{Shorten(line)}'");
        }
        throw new SpamdProtocolException("the answer has no Spam header");
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100];
}

public sealed class SpamdProtocolException(string message) : Exception(message);

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mailroom.MailAuth.Spf;

/// <summary>What macros expand to during one check_host() call (RFC 7208 §7.2).</summary>
internal sealed record SpfMacroContext(string Sender, string LocalPart, string SenderDomain, string Domain, IPAddress Client, string Helo);

/// <summary>
/// Macro expansion (RFC 7208 §7): %{s l o d i v h p} with digit and "r" transformers and delimiters,
/// upper-case letters URL-escaped, and %% %_ %-. %{p} expands to "unknown" because PTR names are not
/// validated; %{c r t} exist only in exp= explanations, which are not evaluated, so they are errors here.
/// </summary>
internal static class SpfMacro
{
    private const string Delimiters = ".-+,/_=";

    /// <summary>The expanded string, or null when the macro syntax is wrong (a permerror).</summary>
    public static string? Expand(string macroString, SpfMacroContext context)
    {
        var output = new StringBuilder();
        for (var i = 0; i < macroString.Length; i++)
        {
            var c = macroString[i];
            if (c != '%')
            {
                output.Append(c);
                continue;
            }
            if (++i >= macroString.Length)
                return null;
            switch (macroString[i])
            {
                case '%': output.Append('%'); continue;
                case '_': output.Append(' '); continue;
                case '-': output.Append("%20"); continue;
                case '{': break;
                default: return null;
            }
            var close = macroString.IndexOf('}', i);
            if (close < 0)
                return null;
            var expanded = ExpandOne(macroString[(i + 1)..close], context);
            if (expanded is null)
                return null;
            output.Append(expanded);
            i = close;
        }
        return output.ToString();
    }

    private static string? ExpandOne(string body, SpfMacroContext context)
    {
        if (body.Length == 0)
            return null;
        var letter = body[0];
        var value = char.ToLowerInvariant(letter) switch
        {
            's' => context.Sender,
            'l' => context.LocalPart,
            'o' => context.SenderDomain,
            'd' => context.Domain,
            'i' => DottedAddress(context.Client),
            'v' => context.Client.AddressFamily == AddressFamily.InterNetwork ? "in-addr" : "ip6",
            'h' => context.Helo,
            'p' => "unknown",
            _ => null,
        };
        if (value is null)
            return null;

        var position = 1;
        while (position < body.Length && char.IsAsciiDigit(body[position]))
            position++;
        int? keep = null;
        if (position > 1)
        {
            if (!int.TryParse(body.AsSpan(1, position - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var digits) || digits == 0)
                return null;
            keep = digits;
        }
        var reverse = position < body.Length && body[position] is 'r' or 'R';
        if (reverse)
            position++;
        var delimiters = body[position..];
        if (delimiters.Any(d => !Delimiters.Contains(d)))
            return null;

        if (keep is not null || reverse || delimiters.Length > 0)
        {
            var parts = value.Split(delimiters.Length > 0 ? delimiters.ToCharArray() : ['.']);
            if (reverse)
                Array.Reverse(parts);
            if (keep < parts.Length)
                parts = parts[^keep.Value..];
            value = string.Join('.', parts);
        }
        return char.IsAsciiLetterUpper(letter) ? Uri.EscapeDataString(value) : value;
    }

    /// <summary>IPv4 dotted quad; IPv6 as 32 dot-separated nibbles (§7.3).</summary>
    private static string DottedAddress(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? address.ToString()
            : string.Join('.', Convert.ToHexStringLower(address.GetAddressBytes()).ToCharArray());
}

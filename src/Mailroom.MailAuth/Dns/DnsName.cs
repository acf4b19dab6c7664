using System.Globalization;
using System.Text;

namespace Mailroom.MailAuth.Dns;

/// <summary>Domain names in presentation form and on the wire (RFC 1035 §2.3.4, §3.1).</summary>
public static class DnsName
{
    public const int MaxLabelLength = 63;
    public const int MaxWireLength = 255;

    private static readonly IdnMapping Idn = new();

    /// <summary>Whether <paramref name="name"/> can be asked about: labels of 1..63 octets, 255 octets in all.</summary>
    public static bool IsValid(string name) => TryGetLabels(name, out _);

    /// <summary>Lower-case, no trailing dot, internationalized labels in their A-label (punycode) form.</summary>
    public static string Normalize(string name)
    {
        if (!TryGetLabels(name, out var labels))
            throw new ArgumentException($"'{name}' is not a valid domain name.", nameof(name));
        return string.Join('.', labels).ToLowerInvariant();
    }

    internal static void Write(string name, List<byte> output)
    {
        if (!TryGetLabels(name, out var labels))
            throw new ArgumentException($"'{name}' is not a valid domain name.", nameof(name));
        foreach (var label in labels)
        {
            output.Add((byte)label.Length);
            output.AddRange(Encoding.ASCII.GetBytes(label));
        }
        output.Add(0);
    }

    private static bool TryGetLabels(string name, out string[] labels)
    {
        labels = [];
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (trimmed.Length == 0)
            return name == ".";
        if (!Ascii.IsValid(trimmed))
        {
            try { trimmed = Idn.GetAscii(trimmed); }
            catch (ArgumentException) { return false; }
        }
        var parts = trimmed.Split('.');
        var wireLength = 1;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > MaxLabelLength || part.Any(char.IsControl))
                return false;
            wireLength += part.Length + 1;
        }
        if (wireLength > MaxWireLength)
            return false;
        labels = parts;
        return true;
    }

    /// <summary>True when <paramref name="name"/> equals <paramref name="domain"/> or lies beneath it.</summary>
    public static bool IsAtOrBelow(string name, string domain)
    {
        name = name.TrimEnd('.');
        domain = domain.TrimEnd('.');
        return name.Equals(domain, StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);
    }
}

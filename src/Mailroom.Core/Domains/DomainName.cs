using System.Globalization;

namespace Mailroom.Core.Domains;

/// <summary>Validation and normalisation of DNS domain names given by callers.</summary>
public static class DomainName
{
    private static readonly IdnMapping Idn = new();

    /// <summary>Lower-case ASCII (punycode) form, or null when <paramref name="value"/> is no valid host name.</summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var name = value.Trim().TrimEnd('.');
        try { name = Idn.GetAscii(name); }
        catch (ArgumentException) { return null; }
        name = name.ToLowerInvariant();
        if (name.Length > 253) return null;
        var labels = name.Split('.');
        if (labels.Length < 2) return null;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63) return null;
            if (label[0] == '-' || label[^1] == '-') return null;
            if (!label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return null;
        }
        return name;
    }
}

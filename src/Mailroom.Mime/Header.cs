using System.Text;

namespace Mailroom.Mime;

/// <summary>One header field as it appeared: name, raw value bytes, and the value decoded for display.</summary>
public sealed class Header
{
    private string? _value;

    public Header(string name, string value)
    {
        Name = name;
        _value = value;
        RawValue = Encoding.UTF8.GetBytes(" " + value);
    }

    internal Header(string name, byte[] rawValue)
    {
        Name = name;
        RawValue = rawValue;
    }

    /// <summary>Field name as written (case kept).</summary>
    public string Name { get; }

    /// <summary>Bytes after the colon up to the end of the field, folding line breaks included, final line break excluded.</summary>
    public byte[] RawValue { get; }

    /// <summary>Raw value as text: UTF-8 when valid, else Windows-1252; still folded, RFC 2047 words not decoded.</summary>
    public string RawText => Internal.Charsets.DecodeRawHeader(RawValue);

    /// <summary>Unfolded text with RFC 2047 encoded words decoded and outer whitespace trimmed.</summary>
    public string Value => _value ??= Rfc2047.DecodeText(Internal.HeaderText.Unfold(RawText));

    public override string ToString() => $"{Name}: {Value}";
}

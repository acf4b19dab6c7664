using System.Text;

namespace Mailroom.Mime.Internal;

/// <summary>Charset lookup and lenient decoding: unknown or mislabelled text never throws.</summary>
internal static class Charsets
{
    public static readonly Encoding Utf8Strict = new UTF8Encoding(false, true);
    public static readonly Encoding Latin1 = Encoding.Latin1;
    public static readonly Encoding Windows1252;

    /// <summary>
    /// UTF-7 (RFC 2152) for old Outlook mail. .NET only refuses it by name (it is a risky encoding for
    /// output); decoding labelled input with the class is what we need. Invalid sequences decode as written.
    /// </summary>
#pragma warning disable SYSLIB0001
    public static readonly Encoding Utf7 = new UTF7Encoding(true);
#pragma warning restore SYSLIB0001

    static Charsets()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    /// <summary>Encoding for a MIME charset label, or null when unknown.</summary>
    public static Encoding? Find(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset)) return null;
        var name = charset.Trim().Trim('"', '\'').ToLowerInvariant();
        name = name switch
        {
            "utf8" or "utf-8" or "x-unicode20utf8" => "utf-8",
            "latin1" or "latin-1" or "iso8859-1" or "iso_8859-1" or "iso-8859-1" => "iso-8859-1",
            "ks_c_5601-1987" or "ks_c_5601" or "ksc5601" or "euc-kr" or "cp949" => "ks_c_5601-1987",
            "gb2312" or "x-gbk" or "gbk" or "cp936" => "gbk",
            "x-sjis" or "sjis" or "shift-jis" or "cp932" or "windows-31j" => "shift_jis",
            "ascii" or "us-ascii" or "ansi_x3.4-1968" => "us-ascii",
            _ => name,
        };
        if (name.StartsWith("cp", StringComparison.Ordinal) && int.TryParse(name.AsSpan(2), out var cp)) name = "windows-" + cp;
        if (name.StartsWith("iso8859-", StringComparison.Ordinal)) name = "iso-8859-" + name[8..];
        if (name is "utf-7" or "utf7" or "unicode-1-1-utf-7" or "x-unicode-2-0-utf-7") return Utf7;
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    public static bool IsAscii(ReadOnlySpan<byte> bytes) => System.Text.Ascii.IsValid(bytes);

    public static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    /// <summary>Text in the labelled charset; unlabelled, unknown or US-ASCII-labelled 8-bit text is read as UTF-8 when valid, else Windows-1252.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        var encoding = Find(charset);
        if (encoding is null || encoding.CodePage == 20127 || encoding.CodePage == 65001)
            return DecodeGuess(bytes, encoding?.CodePage == 65001);
        return encoding.GetString(bytes);
    }

    private static string DecodeGuess(ReadOnlySpan<byte> bytes, bool labelledUtf8)
    {
        if (IsAscii(bytes) || IsValidUtf8(bytes)) return Encoding.UTF8.GetString(bytes);
        // A part labelled UTF-8 that is not keeps its valid sequences; replacement marks the rest.
        return labelledUtf8 ? Encoding.UTF8.GetString(bytes) : Windows1252.GetString(bytes);
    }

    public static string DecodeRawHeader(ReadOnlySpan<byte> bytes) =>
        IsAscii(bytes) || IsValidUtf8(bytes) ? Encoding.UTF8.GetString(bytes) : Windows1252.GetString(bytes);
}

using System.Security.Cryptography;

namespace Mailroom.MailAuth.Dkim;

/// <summary>Key pairs and the DNS records that publish them (RFC 6376 §3.6).</summary>
public static class DkimKeys
{
    /// <summary>A new RSA key; 2048 bits is the size RFC 8301 recommends and most DNS hosts accept.</summary>
    public static RSA GenerateRsaKey(int bits = 2048) => RSA.Create(bits);

    /// <summary>The owner name of a key record: "selector._domainkey.domain".</summary>
    public static string RecordName(string selector, string domain) => $"{selector}._domainkey.{domain.TrimEnd('.')}";

    /// <summary>The TXT record value "v=DKIM1; k=rsa; p=&lt;base64 SubjectPublicKeyInfo&gt;".</summary>
    public static string FormatRecord(RSA key) =>
        "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    /// <summary>
    /// A TXT value split into character-strings of at most 255 octets, as a 2048-bit key record needs
    /// when written to a zone; resolvers join them again.
    /// </summary>
    public static IReadOnlyList<string> SplitIntoCharacterStrings(string value) =>
        [.. value.Chunk(255).Select(chunk => new string(chunk))];
}

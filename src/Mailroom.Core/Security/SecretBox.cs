using System.Security.Cryptography;
using System.Text;

namespace Mailroom.Core.Security;

/// <summary>
/// Seals secrets at rest (DKIM private keys, webhook secrets, channel tokens) with AES-256-GCM under the
/// master key. Sealed form: <c>v1.</c> + base64(nonce ‖ ciphertext ‖ tag); the purpose is bound as
/// associated data so a sealed value cannot be moved from one column to another.
/// </summary>
public sealed class SecretBox
{
    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretBox(byte[] masterKey)
    {
        if (masterKey.Length != 32) throw new ArgumentException("the master key must be 32 bytes", nameof(masterKey));
        _key = masterKey;
    }

    /// <summary>A 256-bit key for another use (signing links), derived with HKDF so the master key itself never leaves.</summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes(purpose));

    public string Seal(string plaintext, string purpose) => Seal(Encoding.UTF8.GetBytes(plaintext), purpose);

    public string Seal(byte[] plaintext, string purpose)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length),
            output.AsSpan(NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(purpose));
        return Version + Convert.ToBase64String(output);
    }

    public string OpenString(string sealedValue, string purpose) => Encoding.UTF8.GetString(Open(sealedValue, purpose));

    public byte[] Open(string sealedValue, string purpose)
    {
        if (!sealedValue.StartsWith(Version, StringComparison.Ordinal))
            throw new CryptographicException("unknown sealed secret format");
        var data = Convert.FromBase64String(sealedValue[Version.Length..]);
        if (data.Length < NonceSize + TagSize) throw new CryptographicException("sealed secret is truncated");
        var plaintext = new byte[data.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, plaintext.Length),
            data.AsSpan(NonceSize + plaintext.Length), plaintext, Encoding.UTF8.GetBytes(purpose));
        return plaintext;
    }
}

/// <summary>Column purposes bound into sealed values.</summary>
public static class SecretPurpose
{
    public const string DkimPrivateKey = "domain.dkim_private_key";
    public const string WebhookSecret = "webhook.secret";
}

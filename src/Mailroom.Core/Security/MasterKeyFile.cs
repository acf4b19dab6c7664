using System.Security.Cryptography;

namespace Mailroom.Core.Security;

/// <summary>The 32-byte master key on disk, base64 encoded, created on first start with mode 600.</summary>
public static class MasterKeyFile
{
    public static byte[] LoadOrCreate(string path)
    {
        var (text, _) = OwnerOnlyFile.ReadOrCreate(path, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var key = Convert.FromBase64String(text);
        return key.Length == 32 ? key : throw new InvalidOperationException($"master key file {path} does not hold 32 bytes");
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Mailroom.Core.ApiKeys;

/// <summary>
/// The secret a caller presents: <c>inai_</c> + 8 characters of display prefix + <c>_</c> + 40 random characters.
/// Only <see cref="Hash"/> is stored; the whole token is shown once.
/// </summary>
public sealed record ApiKeyToken(string Value, string Prefix)
{
    public const string Marker = "inai_";
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static ApiKeyToken Generate()
    {
        var head = RandomNumberGenerator.GetString(Alphabet, 8);
        var secret = RandomNumberGenerator.GetString(Alphabet, 40);
        return new ApiKeyToken($"{Marker}{head}_{secret}", $"{Marker}{head}_...");
    }

    public string Hash => HashOf(Value);

    public static string HashOf(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

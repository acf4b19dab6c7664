using System.Security.Cryptography;
using Mailroom.Core.Security;

namespace Mailroom.Core.Tests;

public sealed class SecretBoxTests
{
    private readonly SecretBox _box = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Sealed_secrets_open_with_the_same_key_and_purpose()
    {
        var sealedValue = _box.Seal("whsec_abc", SecretPurpose.WebhookSecret);
        Assert.StartsWith("v1.", sealedValue);
        Assert.DoesNotContain("whsec_abc", sealedValue);
        Assert.Equal("whsec_abc", _box.OpenString(sealedValue, SecretPurpose.WebhookSecret));
    }

    [Fact]
    public void Sealing_twice_gives_different_ciphertexts()
    {
        Assert.NotEqual(_box.Seal("same", "p"), _box.Seal("same", "p"));
    }

    [Fact]
    public void A_value_moved_to_another_purpose_or_key_or_altered_does_not_open()
    {
        var sealedValue = _box.Seal("secret", SecretPurpose.WebhookSecret);
        var bytes = Convert.FromBase64String(sealedValue[3..]);
        bytes[^1] ^= 1;
        var altered = "v1." + Convert.ToBase64String(bytes);

        Assert.ThrowsAny<CryptographicException>(() => _box.Open(sealedValue, SecretPurpose.DkimPrivateKey));
        Assert.ThrowsAny<CryptographicException>(() => new SecretBox(RandomNumberGenerator.GetBytes(32)).Open(sealedValue, SecretPurpose.WebhookSecret));
        Assert.ThrowsAny<CryptographicException>(() => _box.Open(altered, SecretPurpose.WebhookSecret));
        Assert.ThrowsAny<CryptographicException>(() => _box.Open("v1.AAAA", SecretPurpose.WebhookSecret));
        Assert.ThrowsAny<CryptographicException>(() => _box.Open("plain", SecretPurpose.WebhookSecret));
    }

    [Fact]
    public void The_master_key_must_be_256_bits()
    {
        Assert.Throws<ArgumentException>(() => new SecretBox(new byte[16]));
    }
}

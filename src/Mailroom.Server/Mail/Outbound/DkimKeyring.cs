using System.Security.Cryptography;
using Mailroom.Core.Domains;
using Mailroom.Core.Messaging;
using Mailroom.Core.Platform;
using Mailroom.Core.Security;
using Mailroom.MailAuth.Dkim;

namespace Mailroom.Server.Mail.Outbound;

/// <summary>
/// The DKIM key of each sending domain: a custom domain's key from its row, the platform domain's key from
/// <c>{DataDir}/platform-dkim.key</c> (sealed, created on first use). Its public half is logged once so the operator
/// can publish <c>mailroom._domainkey.{platform domain}</c>.
/// </summary>
public sealed class DkimKeyring(IDomainRepository domains, SecretBox secrets, PlatformSettings platform, Hosting.MailroomOptions options,
    ILogger<DkimKeyring> logger) : IMessageSigner
{
    private readonly Lazy<byte[]> _platformKey = new(() => LoadOrCreatePlatformKey(secrets, options, logger));

    /// <summary>Signs with the domain's key; a domain without one (not hosted here) sends unsigned.</summary>
    public async Task<byte[]> SignAsync(string domain, byte[] message, CancellationToken ct) =>
        await SignerForAsync(domain, ct) is { } signer ? signer.SignMessage(message) : message;

    private async Task<DkimSigner?> SignerForAsync(string domain, CancellationToken ct)
    {
        byte[] pkcs8;
        if (domain == platform.DefaultDomain)
        {
            pkcs8 = _platformKey.Value;
        }
        else if (await domains.FindByNameAsync(domain, ct) is { } custom)
        {
            pkcs8 = secrets.Open(custom.DkimPrivateKeySealed, SecretPurpose.DkimPrivateKey);
        }
        else
        {
            return null;
        }
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return new DkimSigner(domain, DomainService.DkimSelector, rsa);
    }

    private static byte[] LoadOrCreatePlatformKey(SecretBox secrets, Hosting.MailroomOptions options, ILogger logger)
    {
        RSA? generated = null; // only when there is no key file yet
        try
        {
            var (text, created) = OwnerOnlyFile.ReadOrCreate(Path.Combine(options.DataDir, "platform-dkim.key"), () =>
            {
                generated = DkimKeys.GenerateRsaKey();
                return secrets.Seal(generated.ExportPkcs8PrivateKey(), SecretPurpose.DkimPrivateKey);
            });
            if (created) logger.LogWarning("created the platform DKIM key; publish TXT mailroom._domainkey: {Record}", DkimKeys.FormatRecord(generated!));
            return secrets.Open(text, SecretPurpose.DkimPrivateKey);
        }
        finally { generated?.Dispose(); }
    }
}

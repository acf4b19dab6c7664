using System.Security.Cryptography;
using Mailroom.Core.Domains;
using Mailroom.Core.Platform;
using Mailroom.Core.Security;
using Mailroom.Smtp.Dkim;

namespace Mailroom.Server.Mail.Outbound;

/// <summary>
/// The DKIM key of each sending domain: a custom domain's key from its row, the platform domain's key from
/// <c>{DataDir}/platform-dkim.key</c> (sealed, created on first use). Its public half is logged once so the operator
/// can publish <c>mailroom._domainkey.{platform domain}</c>.
/// </summary>
public sealed class DkimKeyring(IDomainRepository domains, SecretBox secrets, PlatformSettings platform, Hosting.MailroomOptions options,
    ILogger<DkimKeyring> logger)
{
    private readonly Lazy<byte[]> _platformKey = new(() => LoadOrCreatePlatformKey(secrets, options, logger));

    public async Task<DkimSigner?> SignerForAsync(string domain, CancellationToken ct)
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
        var path = Path.Combine(options.DataDir, "platform-dkim.key");
        if (File.Exists(path)) return secrets.Open(File.ReadAllText(path).Trim(), SecretPurpose.DkimPrivateKey);
        using var rsa = DkimKeys.GenerateRsaKey();
        var pkcs8 = rsa.ExportPkcs8PrivateKey();
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(new FileStream(path, file));
            writer.Write(secrets.Seal(pkcs8, SecretPurpose.DkimPrivateKey));
        }
        catch (IOException) when (File.Exists(path))
        {
            return secrets.Open(File.ReadAllText(path).Trim(), SecretPurpose.DkimPrivateKey); // another node won the race
        }
        logger.LogWarning("created the platform DKIM key; publish TXT mailroom._domainkey: {Record}", DkimKeys.FormatRecord(rsa));
        return pkcs8;
    }
}

using System.Security.Cryptography;
using Mailroom.Core.Domains;
using Mailroom.Core.Messaging;
using Mailroom.Core.Platform;
using Mailroom.Core.Security;
using Mailroom.MailAuth.Dkim;

namespace Mailroom.Server.Mail.Outbound;

/// <summary>
/// The DKIM key of each sending domain: a custom domain's key from its row, the platform domain's key from the
/// <c>dkim_keys</c> table (sealed), so that every node of a cluster signs with the one published key. The first node
/// to need it stores it, taken from an old <c>{DataDir}/platform-dkim.key</c> when there is one (so an installation
/// keeps the key it published) or else newly made, and every node then reads back the one stored. Its public half is
/// logged by the node that made it, so the operator can publish <c>mailroom._domainkey.{platform domain}</c>.
/// </summary>
public sealed class DkimKeyring(IDomainRepository domains, IDkimKeyRepository keys, SecretBox secrets, PlatformSettings platform,
    Hosting.MailroomOptions options, TimeProvider time, ILogger<DkimKeyring> logger) : IMessageSigner
{
    private readonly SemaphoreSlim _platformKeyLoad = new(1, 1);
    private byte[]? _platformKey;

    /// <summary>Where versions before the shared table kept the platform domain's key; read once to import it.</summary>
    public string LegacyPlatformKeyPath => Path.Combine(options.DataDir, "platform-dkim.key");

    /// <summary>Signs with the domain's key; a domain without one (not hosted here) sends unsigned.</summary>
    public async Task<byte[]> SignAsync(string domain, byte[] message, CancellationToken ct) =>
        await SignerForAsync(domain, ct) is { } signer ? signer.SignMessage(message) : message;

    private async Task<DkimSigner?> SignerForAsync(string domain, CancellationToken ct)
    {
        byte[] pkcs8;
        if (domain == platform.DefaultDomain)
        {
            pkcs8 = await PlatformKeyAsync(ct);
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

    private async Task<byte[]> PlatformKeyAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _platformKey) is { } cached) return cached;
        await _platformKeyLoad.WaitAsync(ct);
        try
        {
            // Not a Lazy: a database that fails once must not leave the process unable to sign until it restarts.
            return _platformKey ??= await LoadOrStorePlatformKeyAsync(ct);
        }
        finally { _platformKeyLoad.Release(); }
    }

    private async Task<byte[]> LoadOrStorePlatformKeyAsync(CancellationToken ct)
    {
        var domain = platform.DefaultDomain;
        if (await keys.FindSealedAsync(domain, ct) is { } stored) return secrets.Open(stored, SecretPurpose.DkimPrivateKey);

        var imported = File.Exists(LegacyPlatformKeyPath);
        using var key = RSA.Create();
        string candidate;
        if (imported)
        {
            candidate = (await File.ReadAllTextAsync(LegacyPlatformKeyPath, ct)).Trim();
            key.ImportPkcs8PrivateKey(secrets.Open(candidate, SecretPurpose.DkimPrivateKey), out _); // a file that does not open stops here
        }
        else
        {
            using var generated = DkimKeys.GenerateRsaKey();
            var pkcs8 = generated.ExportPkcs8PrivateKey();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            candidate = secrets.Seal(pkcs8, SecretPurpose.DkimPrivateKey);
        }
        if (await keys.AddIfAbsentAsync(domain, DomainService.DkimSelector, candidate, time.GetUtcNow(), ct))
        {
            if (imported) logger.LogInformation("the platform DKIM key of {Domain} now lives in the database, imported from {File}", domain, LegacyPlatformKeyPath);
            else logger.LogWarning("created the platform DKIM key; publish TXT mailroom._domainkey: {Record}", DkimKeys.FormatRecord(key));
        }
        // Read back: when another node stored its key first, that one is the cluster's and this candidate is dropped.
        var shared = await keys.FindSealedAsync(domain, ct) ?? throw new InvalidOperationException($"the DKIM key of {domain} was stored and then not found");
        return secrets.Open(shared, SecretPurpose.DkimPrivateKey);
    }
}

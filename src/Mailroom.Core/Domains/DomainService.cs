using System.Security.Cryptography;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Organizations;
using Mailroom.Core.Platform;
using Mailroom.Core.Security;

namespace Mailroom.Core.Domains;

public sealed class DomainService(
    IDomainRepository domains, IInboxRepository inboxes, IOrganizationRepository organizations,
    ITransactionRunner transactions, SecretBox secrets, PlatformSettings platform, TimeProvider time)
{
    public const string DkimSelector = "mailroom";

    public async Task<Domain> AddAsync(string orgId, string? requestedName, bool? feedbackEnabled, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(requestedName)) throw new ValidationException("domain", "is required");
        var name = DomainName.Normalize(requestedName) ?? throw new ValidationException("domain", "is not a valid domain name");
        if (name == platform.DefaultDomain || name.EndsWith("." + platform.DefaultDomain, StringComparison.Ordinal))
            throw new ConflictException("domain", $"{name} is the platform domain and cannot be added");

        // Key generation is slow (tens of milliseconds): do it before the transaction.
        using var rsa = RSA.Create(2048);
        var publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        var sealedPrivateKey = secrets.Seal(rsa.ExportPkcs8PrivateKey(), SecretPurpose.DkimPrivateKey);

        return await transactions.InTransactionAsync(async () =>
        {
            var organization = await organizations.GetAsync(orgId, ct) ?? throw new NotFoundException("organization");
            if (await domains.FindByNameAsync(name, ct) is not null)
                throw new ConflictException("domain", $"{name} has already been added");
            if (await domains.CountAsync(orgId, ct) >= organization.DomainLimit)
                throw new LimitReachedException("domain_limit", $"the organization already has its limit of {organization.DomainLimit} domains");
            var now = time.GetUtcNow();
            var domain = new Domain
            {
                Id = Ids.New(Ids.Domain, time), OrgId = orgId, Name = name, FeedbackEnabled = feedbackEnabled ?? true,
                DkimSelector = DkimSelector, DkimPublicKey = publicKey, DkimPrivateKeySealed = sealedPrivateKey,
                Records = DomainRecords.For(name, DkimSelector, publicKey, platform.Dns),
                CreatedAt = now, UpdatedAt = now,
            };
            await domains.CreateAsync(domain, ct);
            return domain;
        }, ct);
    }

    /// <summary>Deletes a domain no inbox uses; inboxes are deleted first so that no mail is dropped silently.</summary>
    public async Task DeleteAsync(string orgId, string name, CancellationToken ct = default)
    {
        var domain = await domains.GetByNameAsync(orgId, name.ToLowerInvariant(), ct) ?? throw new NotFoundException("domain");
        var inUse = await inboxes.CountOnDomainAsync(domain.Name, ct);
        if (inUse > 0) throw new ConflictException("domain", $"{domain.Name} still has {inUse} inbox(es); delete them first");
        await domains.DeleteAsync(orgId, domain.Name, ct);
    }
}

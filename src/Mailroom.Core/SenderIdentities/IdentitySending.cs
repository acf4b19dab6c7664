using Mailroom.Core.Common;
using Mailroom.Core.Messaging;
using Mailroom.Mime;

namespace Mailroom.Core.SenderIdentities;

/// <summary>
/// Sends mail an organization writes from an address it is allowed to use without an inbox: a verified sender
/// identity, or any address on one of its verified domains. A verified domain's mail is signed with its key and bounces
/// to the From address; an identity whose address is not on a verified domain of the organization is signed with the
/// platform domain's key and its envelope sender is the platform's notice address (so DMARC at the receiver cannot align
/// with the From domain: see docs/mailersend-v1.md). An unconfirmed identity sends only where its domain rule allows;
/// anything else is refused on <c>from</c>.
/// </summary>
public sealed class IdentitySending(ISenderIdentityRepository identities, MessageSender sender, SenderIdentitySettings settings,
    Platform.PlatformSettings platform)
{
    public async Task<SendResult> SendAsync(string orgId, MailboxAddress from, OutgoingMail mail, CancellationToken ct = default)
    {
        var fromDomain = from.Address[(from.Address.LastIndexOf('@') + 1)..];
        var ownDomain = await identities.FindDomainByNameAsync(orgId, fromDomain.ToLowerInvariant(), ct);
        var verifiedDomain = ownDomain is { Verified: true } ? ownDomain : null;
        var identity = await identities.FindByEmailAsync(orgId, from.Address, ct);
        OrganizationSender origin;
        if (identity is { IsVerified: true })
        {
            var address = new MailboxAddress(from.Name ?? identity.Name, identity.Email);
            var replyTo = identity.ReplyToEmail is null ? null : new MailboxAddress(identity.ReplyToName, identity.ReplyToEmail);
            origin = verifiedDomain is not null
                ? new OrganizationSender(orgId, address, replyTo, verifiedDomain.Name, identity.Email, "identity:" + identity.Id)
                : new OrganizationSender(orgId, address, replyTo, platform.DefaultDomain, settings.NoticeAddress, "identity:" + identity.Id);
        }
        else if (verifiedDomain is not null)
        {
            origin = new OrganizationSender(orgId, from, null, verifiedDomain.Name, from.Address, "domain:" + verifiedDomain.Id);
        }
        else if (identity is not null)
        {
            throw new ValidationException("from", $"{identity.Email} is a sender identity that has not been confirmed yet");
        }
        else
        {
            throw new ValidationException("from", $"{from.Address} is neither a verified sender identity nor on a verified domain of this organization");
        }
        return await sender.SendAsOrganizationAsync(origin, mail, ct);
    }
}

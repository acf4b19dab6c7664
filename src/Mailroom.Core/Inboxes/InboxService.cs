using System.Text.RegularExpressions;
using Mailroom.Core.Common;
using Mailroom.Core.Domains;
using Mailroom.Core.Organizations;
using Mailroom.Core.Platform;

namespace Mailroom.Core.Inboxes;

public sealed record NewInbox(string? Username, string? Domain, string? DisplayName, string? ClientId);

/// <summary>The outcome of a create: <see cref="Created"/> is false when a <c>client_id</c> replay found the first inbox.</summary>
public sealed record InboxCreation(Inbox Inbox, bool Created);

public sealed partial class InboxService(
    IInboxRepository inboxes, IDomainRepository domains, IOrganizationRepository organizations,
    ITransactionRunner transactions, PlatformSettings platform, TimeProvider time)
{
    [GeneratedRegex("^[a-zA-Z0-9._%+-]+$")]
    private static partial Regex UsernamePattern();

    public async Task<InboxCreation> CreateAsync(string orgId, NewInbox request, CancellationToken ct = default)
    {
        var username = Check.Required("username", request.Username, 64);
        if (!UsernamePattern().IsMatch(username))
            throw new ValidationException("username", "may contain only letters, digits and . _ % + -");
        if (username.StartsWith('.') || username.EndsWith('.') || username.Contains(".."))
            throw new ValidationException("username", "must not start or end with a dot or contain two dots in a row");
        var displayName = Check.Line("display_name", request.DisplayName);
        var clientId = Check.Line("client_id", request.ClientId);

        var domain = await ResolveDomainAsync(orgId, request.Domain, ct);
        return await transactions.InTransactionAsync(async () =>
        {
            if (clientId is not null && await inboxes.FindByClientIdAsync(orgId, clientId, ct) is { } replay)
                return new InboxCreation(replay, false);
            var organization = await organizations.GetAsync(orgId, ct) ?? throw new NotFoundException("organization");
            if (await inboxes.CountAsync(orgId, ct) >= organization.InboxLimit)
                throw new LimitReachedException("inbox_limit", $"the organization already has its limit of {organization.InboxLimit} inboxes");
            var address = $"{username}@{domain}";
            if (await inboxes.FindByAddressAsync(address, ct) is not null)
                throw new ConflictException("username", $"{address} is already taken");
            var now = time.GetUtcNow();
            var inbox = new Inbox
            {
                Id = Ids.New(Ids.Inbox, time), OrgId = orgId, Username = username, Domain = domain,
                DisplayName = displayName, ClientId = clientId, CreatedAt = now, UpdatedAt = now,
            };
            await inboxes.CreateAsync(inbox, ct);
            return new InboxCreation(inbox, true);
        }, ct);
    }

    public async Task<Inbox> UpdateDisplayNameAsync(string orgId, string inboxId, string? displayName, CancellationToken ct = default)
    {
        var inbox = await inboxes.GetAsync(orgId, inboxId, ct) ?? throw new NotFoundException("inbox");
        inbox.DisplayName = Check.Line("display_name", displayName);
        inbox.UpdatedAt = time.GetUtcNow();
        await inboxes.UpdateAsync(inbox, ct);
        return inbox;
    }

    private async Task<string> ResolveDomainAsync(string orgId, string? requested, CancellationToken ct)
    {
        if (requested is null) return platform.DefaultDomain;
        var name = DomainName.Normalize(requested) ?? throw new ValidationException("domain", "is not a valid domain name");
        if (name == platform.DefaultDomain) return name;
        if (await domains.GetByNameAsync(orgId, name, ct) is null)
            throw new ValidationException("domain", $"{name} is not a domain of this organization", ErrorCodes.DomainNotInOrganization);
        return name;
    }
}

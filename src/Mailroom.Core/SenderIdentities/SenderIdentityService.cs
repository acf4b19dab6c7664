using Mailroom.Core.Common;
using Mailroom.Core.Domains;
using Mailroom.Core.Events;
using Mailroom.Core.Links;
using Mailroom.Core.Messaging;
using Mailroom.Core.Organizations;
using Mailroom.Core.Platform;
using Mailroom.Mime;

namespace Mailroom.Core.SenderIdentities;

/// <summary>
/// How long a confirmation link works, how many times a confirmation mail may be sent again, and the platform address
/// confirmation mail comes from (it is also the envelope sender of identities whose domain is not verified).
/// </summary>
public sealed record SenderIdentitySettings(TimeSpan ConfirmationLifetime, int MaxResends, string NoticeAddress);

/// <summary>Where the link in a confirmation mail points: a page that shows the request and confirms by POST.</summary>
public interface ISenderConfirmationLinks
{
    string ConfirmationUrl(string token);
}

/// <summary>An identity with the domain it belongs to, as every view shows it.</summary>
public sealed record SenderIdentityView(SenderIdentity Identity, SenderDomain Domain);

/// <summary>What creating an identity takes; every field is checked by the use case.</summary>
public sealed record NewSenderIdentity(string? DomainId, string? Email, string? Name, string? ReplyToEmail, string? ReplyToName, bool AddNote,
    string? PersonalNote);

/// <summary>A change: null leaves a field as it is.</summary>
public sealed record SenderIdentityChange(string? DomainId, string? Email, string? Name, string? ReplyToEmail, string? ReplyToName, bool? AddNote,
    string? PersonalNote);

/// <summary>What a confirmation page shows before the person decides: the address and who asks.</summary>
public sealed record SenderConfirmationRequest(SenderIdentity Identity, string OrganizationName);

/// <summary>
/// Sender identities confirmed by email. Creating one (or changing its address, or asking again) sends a confirmation
/// mail from the platform through the ordinary signed outbound queue, in the transaction that makes the change; its link
/// is a signed, expiring, single-use token (<see cref="OneTimeLinks"/>). The page the link opens changes nothing; its
/// POST (<see cref="ConfirmAsync"/>) marks the identity verified and publishes <see cref="SenderIdentityVerified"/>.
/// Another organization's id is not found.
/// </summary>
public sealed class SenderIdentityService(
    ISenderIdentityRepository identities, IOrganizationRepository organizations, OneTimeLinks links, ISenderConfirmationLinks confirmationLinks,
    MessageSender sender, IOutboundQueueSignal queueSignal, EventPublisher events, ITransactionRunner transactions, SenderIdentitySettings settings,
    PlatformSettings platform, TimeProvider time)
{
    public const string LinkPurpose = "sender_identity.confirm";
    public const string ConfirmAction = "confirm";
    /// <summary>MailerSend's limit on names and addresses.</summary>
    public const int MaxLength = 191;
    public const int MaxNoteLength = 1000;

    public async Task<Page<SenderIdentityView>> ListAsync(string orgId, SenderIdentityFilter filter, PageRequest page, CancellationToken ct = default)
    {
        if (filter.DomainId is { } domainId)
        {
            // Named by id or name; a domain the organization does not have holds no identities.
            if (await identities.GetDomainAsync(orgId, domainId, ct) is not { } filterDomain) return new Page<SenderIdentityView>([], 0);
            filter = filter with { DomainId = filterDomain.Id };
        }
        var found = await identities.ListAsync(orgId, filter, page, ct);
        var domains = new Dictionary<string, SenderDomain>(StringComparer.Ordinal);
        var views = new List<SenderIdentityView>();
        foreach (var identity in found.Items)
        {
            if (!domains.TryGetValue(identity.DomainId, out var domain))
                domains[identity.DomainId] = domain = await DomainAsync(orgId, identity.DomainId, ct);
            views.Add(new SenderIdentityView(identity, domain));
        }
        return new Page<SenderIdentityView>(views, found.Total);
    }

    public async Task<SenderIdentityView> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        await ViewAsync(await IdentityAsync(orgId, id, ct), ct);

    public async Task<SenderIdentityView> GetByEmailAsync(string orgId, string email, CancellationToken ct = default) =>
        await ViewAsync(await IdentityByEmailAsync(orgId, email, ct), ct);

    public async Task<SenderIdentityView> CreateAsync(string orgId, NewSenderIdentity input, CancellationToken ct = default)
    {
        var domainId = Check.Required("domain_id", input.DomainId, MaxLength);
        var name = Check.Required("name", input.Name, MaxLength);
        var email = Address("email", Check.Required("email", input.Email, MaxLength));
        var replyToEmail = input.ReplyToEmail is null ? null : Address("reply_to_email", Check.Line("reply_to_email", input.ReplyToEmail, MaxLength)!);
        var replyToName = Check.Line("reply_to_name", input.ReplyToName, MaxLength);
        var note = Note(input.PersonalNote);
        var domain = await identities.GetDomainAsync(orgId, domainId, ct) ?? throw new ValidationException("domain_id", "is not a domain of this organization");
        var now = time.GetUtcNow();
        var identity = new SenderIdentity
        {
            Id = SenderIdentity.NewId(), OrgId = orgId, DomainId = domain.Id, Email = email, Name = name, ReplyToEmail = replyToEmail,
            ReplyToName = replyToName, AddNote = input.AddNote, PersonalNote = note, CreatedAt = now, UpdatedAt = now,
        };
        await transactions.InTransactionAsync(async () =>
        {
            if (!await identities.CreateAsync(identity, ct)) throw Taken();
            await SendConfirmationAsync(identity, ct);
            return 0;
        }, ct);
        queueSignal.Notify();
        return new SenderIdentityView(identity, domain);
    }

    /// <summary>Changes the identity; a new address makes it unverified again and sends a confirmation to that address.</summary>
    public async Task<SenderIdentityView> UpdateAsync(string orgId, string id, SenderIdentityChange change, CancellationToken ct = default) =>
        await UpdateAsync(await IdentityAsync(orgId, id, ct), change, ct);

    public async Task<SenderIdentityView> UpdateByEmailAsync(string orgId, string email, SenderIdentityChange change, CancellationToken ct = default) =>
        await UpdateAsync(await IdentityByEmailAsync(orgId, email, ct), change, ct);

    public async Task DeleteAsync(string orgId, string id, CancellationToken ct = default) => await DeleteAsync(await IdentityAsync(orgId, id, ct), ct);

    public async Task DeleteByEmailAsync(string orgId, string email, CancellationToken ct = default) =>
        await DeleteAsync(await IdentityByEmailAsync(orgId, email, ct), ct);

    /// <summary>Sends the confirmation mail again with a new link (the older links stop working); refused once verified or past the limit.</summary>
    public async Task<SenderIdentityView> ResendAsync(string orgId, string id, CancellationToken ct = default)
    {
        var identity = await transactions.InTransactionAsync(async () =>
        {
            if (!await identities.CountResendAsync(orgId, id, settings.MaxResends, ct))
            {
                var refused = await IdentityAsync(orgId, id, ct);
                throw refused.IsVerified
                    ? new ValidationException("email", "is already verified")
                    : new LimitReachedException("resends", $"the confirmation mail was sent again {settings.MaxResends} times already");
            }
            // Read after counting: the row is this transaction's now, so a concurrent resend waits and then counts on top.
            var current = await IdentityAsync(orgId, id, ct);
            current.UpdatedAt = time.GetUtcNow();
            await SendConfirmationAsync(current, ct);
            return current;
        }, ct);
        queueSignal.Notify();
        return await ViewAsync(identity, ct);
    }

    /// <summary>What a confirmation link asks, for the page it opens; null when the link is forged, expired, used or its identity gone. Changes nothing.</summary>
    public async Task<SenderConfirmationRequest?> DescribeAsync(string token, CancellationToken ct = default)
    {
        if (await links.FindUsableAsync(token, LinkPurpose, ct) is not { } link) return null;
        if (await identities.GetAsync(link.OrgId, link.SubjectId, ct) is not { } identity || identity.ConfirmationGroupId != link.GroupId) return null;
        var organization = await organizations.GetAsync(link.OrgId, ct);
        return new SenderConfirmationRequest(identity, organization?.Name ?? link.OrgId);
    }

    /// <summary>Uses the link and verifies the identity, announcing <see cref="SenderIdentityVerified"/>; a link that cannot act is refused.</summary>
    public async Task<SenderIdentity> ConfirmAsync(string token, CancellationToken ct = default) =>
        await transactions.InTransactionAsync(async () =>
        {
            var link = await links.UseAsync(token, LinkPurpose, ct);
            // A link of an older mail (before a resend or an address change) is refused with the rest.
            if (await identities.GetAsync(link.OrgId, link.SubjectId, ct) is not { } identity || identity.ConfirmationGroupId != link.GroupId || identity.IsVerified)
                throw new LinkRefusedException("token", "this link is invalid, has expired or has already been used");
            var now = time.GetUtcNow();
            identity.VerifiedAt = now;
            identity.UpdatedAt = now;
            await identities.UpdateAsync(identity, ct);
            await events.PublishAsync(new SenderIdentityVerified(identity, await DomainAsync(identity.OrgId, identity.DomainId, ct)), ct);
            return identity;
        }, ct);

    /// <summary>A plain address (no display name) that mail can be sent to; <paramref name="field"/> names it in the refusal.</summary>
    public static string Address(string field, string value)
    {
        var trimmed = value.Trim();
        if (!MailboxAddress.TryParse(trimmed, out var parsed) || parsed.Address != trimmed || parsed.Name is not null || !IsMailbox(trimmed))
            throw new ValidationException(field, "must be a valid email address");
        return trimmed;
    }

    private static bool IsMailbox(string address)
    {
        var at = address.LastIndexOf('@');
        return at > 0 && at < address.Length - 1 && !address.Any(char.IsWhiteSpace) && DomainName.Normalize(address[(at + 1)..]) is not null;
    }

    private async Task<SenderIdentityView> UpdateAsync(SenderIdentity identity, SenderIdentityChange change, CancellationToken ct)
    {
        var name = change.Name is null ? identity.Name : Check.Required("name", change.Name, MaxLength);
        var email = change.Email is null ? identity.Email : Address("email", Check.Required("email", change.Email, MaxLength));
        var replyToEmail = change.ReplyToEmail is null ? identity.ReplyToEmail
            : change.ReplyToEmail.Length == 0 ? null : Address("reply_to_email", Check.Line("reply_to_email", change.ReplyToEmail, MaxLength)!);
        var replyToName = change.ReplyToName is null ? identity.ReplyToName : Check.Line("reply_to_name", change.ReplyToName, MaxLength);
        var note = change.PersonalNote is null ? identity.PersonalNote : Note(change.PersonalNote);
        var domain = change.DomainId is null ? await DomainAsync(identity.OrgId, identity.DomainId, ct)
            : await identities.GetDomainAsync(identity.OrgId, change.DomainId, ct) ?? throw new ValidationException("domain_id", "is not a domain of this organization");
        var addressChanged = !string.Equals(SenderIdentity.KeyOf(email), SenderIdentity.KeyOf(identity.Email), StringComparison.Ordinal);
        await transactions.InTransactionAsync(async () =>
        {
            if (addressChanged) await EnsureUnusedAsync(identity.OrgId, email, identity.Id, ct);
            identity.Name = name;
            identity.Email = email;
            identity.ReplyToEmail = replyToEmail;
            identity.ReplyToName = replyToName;
            identity.PersonalNote = note;
            identity.AddNote = change.AddNote ?? identity.AddNote;
            identity.DomainId = domain.Id;
            identity.UpdatedAt = time.GetUtcNow();
            if (addressChanged)
            {
                // The new holder has not confirmed anything: the identity cannot send until they do.
                identity.VerifiedAt = null;
                identity.Resends = 0;
                await SendConfirmationAsync(identity, ct);
            }
            else
            {
                await identities.UpdateAsync(identity, ct);
            }
            return 0;
        }, ct);
        if (addressChanged) queueSignal.Notify();
        return new SenderIdentityView(identity, domain);
    }

    private async Task DeleteAsync(SenderIdentity identity, CancellationToken ct) =>
        await transactions.InTransactionAsync(async () =>
        {
            if (identity.ConfirmationGroupId is { } group) await links.VoidGroupAsync(group, ct);
            if (!await identities.DeleteAsync(identity.OrgId, identity.Id, ct)) throw new NotFoundException("sender_identity");
            return 0;
        }, ct);

    /// <summary>
    /// Issues a new link (voiding the previous mail's), stores the identity with it and queues the mail; inside the
    /// caller's transaction, so the identity, its link and its mail commit together.
    /// </summary>
    private async Task SendConfirmationAsync(SenderIdentity identity, CancellationToken ct)
    {
        if (identity.ConfirmationGroupId is { } previous) await links.VoidGroupAsync(previous, ct);
        var tokens = await links.IssueAsync(identity.OrgId, LinkPurpose, identity.Id, [ConfirmAction], settings.ConfirmationLifetime, ct);
        var link = await links.FindUsableAsync(tokens[ConfirmAction], LinkPurpose, ct)
                   ?? throw new InvalidOperationException("a link just issued is not usable");
        identity.ConfirmationGroupId = link.GroupId;
        await identities.UpdateAsync(identity, ct);
        var organization = await organizations.GetAsync(identity.OrgId, ct);
        var mail = new OutgoingMail
        {
            To = [new MailboxAddress(identity.Name, identity.Email)],
            Subject = "Confirm your email address for sending",
            Text = ConfirmationText(identity, organization?.Name ?? identity.OrgId, confirmationLinks.ConfirmationUrl(tokens[ConfirmAction]), link.ExpiresAt),
        };
        var from = new MailboxAddress(null, settings.NoticeAddress);
        await sender.SendAsOrganizationAsync(
            new OrganizationSender(identity.OrgId, from, null, platform.DefaultDomain, settings.NoticeAddress, SentAs: "notice"), mail, ct);
    }

    private static string ConfirmationText(SenderIdentity identity, string organization, string url, DateTimeOffset expires)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"{organization} asks to send email as {identity.Name} <{identity.Email}>.\r\n\r\n");
        if (identity.AddNote && !string.IsNullOrWhiteSpace(identity.PersonalNote))
            text.Append($"Their note:\r\n\r\n{identity.PersonalNote}\r\n\r\n");
        text.Append($"If this is your address and you agree, open this link and confirm:\r\n\r\n{url}\r\n\r\n");
        text.Append($"The link works once, until {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC. If you did not expect this, ignore this mail: nothing is sent as you unless you confirm.\r\n");
        return text.ToString();
    }

    private static string? Note(string? note)
    {
        if (note is not null && note.Length > MaxNoteLength) throw new ValidationException("personal_note", $"must be at most {MaxNoteLength} characters");
        return note;
    }

    private async Task EnsureUnusedAsync(string orgId, string email, string? exceptId, CancellationToken ct)
    {
        if (await identities.FindByEmailAsync(orgId, email, ct) is { } taken && taken.Id != exceptId) throw Taken();
    }

    private static ConflictException Taken() => new("email", "has already been taken");

    private async Task<SenderIdentity> IdentityAsync(string orgId, string id, CancellationToken ct) =>
        await identities.GetAsync(orgId, id, ct) ?? throw new NotFoundException("sender_identity");

    private async Task<SenderIdentity> IdentityByEmailAsync(string orgId, string email, CancellationToken ct) =>
        await identities.FindByEmailAsync(orgId, email, ct) ?? throw new NotFoundException("sender_identity");

    private async Task<SenderIdentityView> ViewAsync(SenderIdentity identity, CancellationToken ct) =>
        new(identity, await DomainAsync(identity.OrgId, identity.DomainId, ct));

    /// <summary>An identity's domain always exists: deleting a domain deletes its identities.</summary>
    private async Task<SenderDomain> DomainAsync(string orgId, string domainId, CancellationToken ct) =>
        await identities.GetDomainAsync(orgId, domainId, ct) ?? throw new NotFoundException("domain");
}

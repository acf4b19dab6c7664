using System.Text.RegularExpressions;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Domains;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Organizations;
using Mailroom.Core.Platform;
using Mailroom.Mime;

namespace Mailroom.Core.Identities;

/// <summary>A field of a partial update: <see cref="Given"/> false leaves the stored value as it is.</summary>
public readonly record struct Change<T>(bool Given, T Value)
{
    public static Change<T> Keep => default;
    public static Change<T> To(T value) => new(true, value);
}

public sealed record NewIdentity
{
    public string? DomainId { get; init; }
    public string? LocalPart { get; init; }
    public string? DisplayName { get; init; }
    public string? AssistantId { get; init; }
    public string? ReplyTo { get; init; }
    public string? SignatureText { get; init; }
    public string? SignatureHtml { get; init; }
    public int? ThreadHistoryDepth { get; init; }
    public bool? CanSendCold { get; init; }
    public bool? AutoApproveReplies { get; init; }
    public ApprovalChannelConfig? ApprovalChannel { get; init; }
    public ApprovalChannelConfig? SecondaryApprovalChannel { get; init; }
    public int? EscalationDelayMinutes { get; init; }
}

public sealed record IdentityChanges
{
    public Change<string?> DisplayName { get; init; }
    public Change<string?> AssistantId { get; init; }
    public Change<string?> ReplyTo { get; init; }
    public Change<string?> SignatureText { get; init; }
    public Change<string?> SignatureHtml { get; init; }
    public Change<int?> ThreadHistoryDepth { get; init; }
    public Change<bool?> CanSendCold { get; init; }
    public Change<bool?> AutoApproveReplies { get; init; }
    public Change<string?> Status { get; init; }
    public Change<ApprovalChannelConfig?> ApprovalChannel { get; init; }
    public Change<ApprovalChannelConfig?> SecondaryApprovalChannel { get; init; }
    public Change<int?> EscalationDelayMinutes { get; init; }
}

/// <summary>An inbox seen as a sender identity: the inbox, its domain's id and its approval channels.</summary>
public sealed record Identity(Inbox Inbox, string DomainId, StoredChannel? ApprovalChannel, StoredChannel? SecondaryApprovalChannel);

/// <summary>A domain as the identities API lists it.</summary>
public sealed record IdentityDomain(string Id, string Name, bool Verified, DateTimeOffset? CreatedAt);

public sealed record IdentityFilter(string? DomainId, string? Status);

/// <summary>
/// Sender identities: the same rows as v0 inboxes, created on a verified domain under the organization's identity cap,
/// with approval channels. An identity sends only through drafts a person approves unless it auto-approves replies.
/// </summary>
public sealed partial class IdentityService(
    IInboxRepository inboxes, IDomainRepository domains, IOrganizationRepository organizations, ApprovalChannelStore channels,
    MailDeletion deletion, ITransactionRunner transactions, PlatformSettings platform, TimeProvider time)
{
    /// <summary>The id the platform domain has in this API: it has no domain row, being always verified.</summary>
    public const string PlatformDomainId = "dom_platform";
    public const int DefaultThreadHistoryDepth = 10;
    public const int MaxThreadHistoryDepth = 20;
    /// <summary>A day: longer than that a draft is no longer waiting for a decision but forgotten.</summary>
    public const int MaxEscalationDelayMinutes = 24 * 60;

    [GeneratedRegex("^[a-z0-9._+-]+$")]
    private static partial Regex LocalPartPattern();

    public async Task<Identity> CreateAsync(string orgId, NewIdentity request, CancellationToken ct = default)
    {
        var localPart = Check.Required("local_part", request.LocalPart, 64);
        if (!LocalPartPattern().IsMatch(localPart))
            throw new ValidationException("local_part", "may contain only lowercase letters, digits and . _ + -");
        if (localPart.StartsWith('.') || localPart.EndsWith('.') || localPart.Contains(".."))
            throw new ValidationException("local_part", "must not start or end with a dot or contain two dots in a row");
        var displayName = Check.Required("display_name", request.DisplayName);
        var domainId = Check.Required("domain_id", request.DomainId, 64);
        var domain = await VerifiedDomainAsync(orgId, domainId, ct);
        var now = time.GetUtcNow();
        var inbox = new Inbox
        {
            Id = Ids.New(Ids.Inbox, time), OrgId = orgId, Username = localPart, Domain = domain, DisplayName = displayName,
            CanSendCold = request.CanSendCold ?? false, AutoApproveReplies = request.AutoApproveReplies ?? false, RequiresApproval = true,
            ThreadHistoryDepth = HistoryDepth(request.ThreadHistoryDepth) ?? DefaultThreadHistoryDepth,
            EscalationDelaySeconds = EscalationSeconds(request.EscalationDelayMinutes), CreatedAt = now, UpdatedAt = now,
        };
        ApplyText(inbox, request.AssistantId, request.ReplyTo, request.SignatureText, request.SignatureHtml);
        var primary = request.ApprovalChannel is { } p ? await channels.PrepareAsync(orgId, "approval_channel", p, ct) : null;
        var secondary = request.SecondaryApprovalChannel is { } s ? await channels.PrepareAsync(orgId, "secondary_approval_channel", s, ct) : null;

        await transactions.InTransactionAsync(async () =>
        {
            var organization = await organizations.GetAsync(orgId, ct) ?? throw new NotFoundException("organization");
            var count = await inboxes.CountAsync(orgId, ct);
            var limit = Math.Min(organization.IdentityLimit ?? platform.DefaultIdentityLimit, organization.InboxLimit);
            if (count >= limit)
                throw new LimitReachedException("identities", $"the workspace already has its limit of {limit} identities");
            if (await inboxes.FindByAddressAsync(inbox.EmailAddress, ct) is not null)
                throw new ConflictException("local_part", $"{inbox.EmailAddress} is already in use");
            if (primary is not null) inbox.PrimaryChannelId = await channels.CreateAsync(orgId, primary, ct);
            if (secondary is not null) inbox.SecondaryChannelId = await channels.CreateAsync(orgId, secondary, ct);
            await inboxes.CreateAsync(inbox, ct);
            return true;
        }, ct);
        return await ViewAsync(inbox, ct);
    }

    public async Task<Identity> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        await ViewAsync(await inboxes.GetAsync(orgId, id, ct) ?? throw new NotFoundException("identity"), ct);

    public async Task<Page<Identity>> ListAsync(string orgId, IdentityFilter filter, PageRequest page, CancellationToken ct = default)
    {
        if (filter.Status is { } status && status != InboxStatus.Active && status != InboxStatus.Disabled)
            throw new ValidationException("status", "must be active or disabled");
        string? domainName = null;
        if (filter.DomainId is { } domainId)
        {
            domainName = domainId == PlatformDomainId ? platform.DefaultDomain : (await domains.GetByIdAsync(orgId, domainId, ct))?.Name;
            if (domainName is null) return new Page<Identity>([], 0);
        }
        var list = await inboxes.ListFilteredAsync(orgId, domainName, filter.Status, page, ct);
        var items = new List<Identity>();
        foreach (var inbox in list.Items) items.Add(await ViewAsync(inbox, ct));
        return new Page<Identity>(items, list.Total);
    }

    public async Task<Identity> UpdateAsync(string orgId, string id, IdentityChanges changes, CancellationToken ct = default)
    {
        var inbox = await inboxes.GetAsync(orgId, id, ct) ?? throw new NotFoundException("identity");
        if (changes.DisplayName.Given) inbox.DisplayName = Check.Required("display_name", changes.DisplayName.Value);
        ApplyText(inbox,
            changes.AssistantId.Given ? changes.AssistantId.Value : inbox.AssistantId, changes.ReplyTo.Given ? changes.ReplyTo.Value : inbox.ReplyTo,
            changes.SignatureText.Given ? changes.SignatureText.Value : inbox.SignatureText,
            changes.SignatureHtml.Given ? changes.SignatureHtml.Value : inbox.SignatureHtml);
        if (changes.ThreadHistoryDepth.Given) inbox.ThreadHistoryDepth = HistoryDepth(changes.ThreadHistoryDepth.Value) ?? DefaultThreadHistoryDepth;
        if (changes.CanSendCold.Given) inbox.CanSendCold = changes.CanSendCold.Value ?? false;
        if (changes.AutoApproveReplies.Given) inbox.AutoApproveReplies = changes.AutoApproveReplies.Value ?? false;
        if (changes.EscalationDelayMinutes.Given) inbox.EscalationDelaySeconds = EscalationSeconds(changes.EscalationDelayMinutes.Value);
        if (changes.Status.Given)
        {
            if (changes.Status.Value is not (InboxStatus.Active or InboxStatus.Disabled)) throw new ValidationException("status", "must be active or disabled");
            inbox.Status = changes.Status.Value;
        }
        var primary = changes.ApprovalChannel is { Given: true, Value: { } p } ? await channels.PrepareAsync(orgId, "approval_channel", p, ct) : null;
        var secondary = changes.SecondaryApprovalChannel is { Given: true, Value: { } s }
            ? await channels.PrepareAsync(orgId, "secondary_approval_channel", s, ct) : null;
        inbox.UpdatedAt = time.GetUtcNow();

        await transactions.InTransactionAsync(async () =>
        {
            // A new channel object replaces the old settings whole (secrets included); the old row goes.
            if (changes.ApprovalChannel.Given)
            {
                await channels.DeleteAsync(orgId, inbox.PrimaryChannelId, ct);
                inbox.PrimaryChannelId = primary is null ? null : await channels.CreateAsync(orgId, primary, ct);
            }
            if (changes.SecondaryApprovalChannel.Given)
            {
                await channels.DeleteAsync(orgId, inbox.SecondaryChannelId, ct);
                inbox.SecondaryChannelId = secondary is null ? null : await channels.CreateAsync(orgId, secondary, ct);
            }
            await inboxes.UpdateAsync(inbox, ct);
            return true;
        }, ct);
        return await ViewAsync(inbox, ct);
    }

    /// <summary>Removes the identity and its channels; its threads, messages and drafts stay, readable by id.</summary>
    public Task DeleteAsync(string orgId, string id, CancellationToken ct = default) =>
        transactions.InTransactionAsync(async () =>
        {
            var inbox = await inboxes.GetAsync(orgId, id, ct) ?? throw new NotFoundException("identity");
            await deletion.DeleteInboxKeepingMailAsync(orgId, id, ct);
            await channels.DeleteAsync(orgId, inbox.PrimaryChannelId, ct);
            await channels.DeleteAsync(orgId, inbox.SecondaryChannelId, ct);
            return true;
        }, ct);

    /// <summary>The platform domain first (always verified), then the organization's own, by name.</summary>
    public async Task<Page<IdentityDomain>> ListDomainsAsync(string orgId, PageRequest page, CancellationToken ct = default)
    {
        var all = new List<IdentityDomain> { new(PlatformDomainId, platform.DefaultDomain, true, null) };
        var own = await domains.ListAsync(orgId, new PageRequest(0, int.MaxValue), ct);
        all.AddRange(own.Items.OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new IdentityDomain(d.Id, d.Name, d.Status == DomainStatus.Verified, d.CreatedAt)));
        return new Page<IdentityDomain>(all.Skip((int)Math.Min(page.Offset, int.MaxValue)).Take(page.Limit).ToList(), all.Count);
    }

    private async Task<string> VerifiedDomainAsync(string orgId, string domainId, CancellationToken ct)
    {
        if (domainId == PlatformDomainId) return platform.DefaultDomain;
        var domain = await domains.GetByIdAsync(orgId, domainId, ct)
                     ?? throw new ValidationException("domain_id", $"{domainId} is not a domain of this workspace");
        if (domain.Status != DomainStatus.Verified)
            throw new ValidationException("domain_id", $"{domain.Name} is not verified; publish its DNS records and verify it first");
        return domain.Name;
    }

    private async Task<Identity> ViewAsync(Inbox inbox, CancellationToken ct)
    {
        var domainId = inbox.Domain == platform.DefaultDomain ? PlatformDomainId
            : (await domains.GetByNameAsync(inbox.OrgId, inbox.Domain, ct))?.Id ?? PlatformDomainId;
        return new Identity(inbox, domainId, await channels.GetAsync(inbox.OrgId, inbox.PrimaryChannelId, ct),
            await channels.GetAsync(inbox.OrgId, inbox.SecondaryChannelId, ct));
    }

    private static void ApplyText(Inbox inbox, string? assistantId, string? replyTo, string? signatureText, string? signatureHtml)
    {
        inbox.AssistantId = Check.Line("assistant_id", assistantId, 64);
        inbox.ReplyTo = Check.Line("reply_to_email", replyTo, 320);
        if (inbox.ReplyTo is { } address && (!MailboxAddress.TryParse(address, out var parsed) || parsed.Address != address))
            throw new ValidationException("reply_to_email", "must be an email address");
        inbox.SignatureText = CheckLong("signature_text", signatureText);
        inbox.SignatureHtml = CheckLong("signature_html", signatureHtml);
    }

    private static string? CheckLong(string field, string? value) =>
        value is { Length: > 10_000 } ? throw new ValidationException(field, "must be at most 10000 characters") : value;

    private static int? HistoryDepth(int? depth) => depth is null ? null
        : depth is < 1 or > MaxThreadHistoryDepth ? throw new ValidationException("thread_history_depth", $"must be between 1 and {MaxThreadHistoryDepth}")
        : depth;

    private static int? EscalationSeconds(int? minutes) => minutes is null ? null
        : minutes is < 1 or > MaxEscalationDelayMinutes
            ? throw new ValidationException("escalation_delay_minutes", $"must be between 1 and {MaxEscalationDelayMinutes}")
            : minutes * 60;
}

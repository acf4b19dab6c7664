using System.Text;
using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Webhooks;

namespace Mailroom.Core.Agents;

/// <summary>A mailbox to create: an inbox, linked to the agent named, on the local part given or one made from the handle.</summary>
public sealed record NewMailbox(string? AgentHandle, string? DisplayName, string? EmailLocalPart);

/// <summary>A mailbox's webhook after a change: its URL (null when removed) and, when it was made just now, its signing secret.</summary>
public sealed record MailboxWebhook(string? Url, string? NewSecret);

/// <summary>
/// Mailboxes are inboxes, created and named by address for agents: the same row, threads and messages as the
/// inbox in every other dialect. A mailbox's <c>webhook_url</c> is an ordinary webhook for its mail events, filtered to
/// its inbox and known by the client id <c>mailbox:&lt;inbox id&gt;</c>, so it is signed, retried and listed like any other.
/// </summary>
public sealed class MailboxService(InboxService inboxService, IInboxRepository inboxes, AgentService agentService, WebhookService webhookService,
    IWebhookRepository webhooks, MailDeletion deletion, ITransactionRunner transactions)
{
    private static readonly string[] MailEventTypes =
    [
        EventTypes.MessageReceived, EventTypes.MessageSent, EventTypes.MessageDelivered, EventTypes.MessageBounced,
        EventTypes.MessageComplained, EventTypes.MessageRejected,
    ];

    public Task<Inbox> CreateAsync(string orgId, NewMailbox request, CancellationToken ct = default) =>
        transactions.InTransactionAsync(async () =>
        {
            var agent = request.AgentHandle is null ? null : await agentService.FindAsync(orgId, request.AgentHandle, ct);
            var localPart = request.EmailLocalPart ?? LocalPartFor(agent?.Handle);
            var created = await inboxService.CreateAsync(orgId, new NewInbox(localPart, null, request.DisplayName, null), ct);
            if (agent is not null) await agentService.LinkNewInboxAsync(agent, created.Inbox, ct);
            return created.Inbox;
        }, ct);

    /// <summary>The organization's mailbox at an address; another organization's address is not found.</summary>
    public async Task<Inbox> GetAsync(string orgId, string emailAddress, CancellationToken ct = default) =>
        await inboxes.FindByAddressAsync(emailAddress, ct) is { } inbox && inbox.OrgId == orgId ? inbox : throw new NotFoundException("mailbox");

    /// <summary>The URL of the mailbox's webhook, or null.</summary>
    public async Task<string?> WebhookUrlAsync(Inbox inbox, CancellationToken ct = default) =>
        (await webhooks.FindByClientIdAsync(inbox.OrgId, WebhookClientId(inbox), ct))?.Url;

    /// <summary>Points the mailbox's webhook at <paramref name="url"/>, making it when there is none; null removes it.</summary>
    public async Task<MailboxWebhook> SetWebhookAsync(Inbox inbox, string? url, CancellationToken ct = default)
    {
        var existing = await webhooks.FindByClientIdAsync(inbox.OrgId, WebhookClientId(inbox), ct);
        if (url is null)
        {
            if (existing is not null) await webhooks.DeleteAsync(inbox.OrgId, existing.Id, ct);
            return new MailboxWebhook(null, null);
        }
        if (existing is not null)
            return new MailboxWebhook((await webhookService.UpdateAsync(inbox.OrgId, existing.Id, new WebhookChanges(url, null, null, true), ct)).Url, null);
        var created = await webhookService.CreateAsync(inbox.OrgId, url, MailEventTypes, [inbox.Id], WebhookClientId(inbox), ct);
        return new MailboxWebhook(created.Webhook.Url, created.Secret);
    }

    /// <summary>Deletes the mailbox with its mail (as a v0 inbox delete) and its webhook; an agent that had it keeps its phone number.</summary>
    public async Task DeleteAsync(Inbox inbox, CancellationToken ct = default)
    {
        await deletion.DeleteInboxAsync(inbox.OrgId, inbox.Id, ct);
        await SetWebhookAsync(inbox, null, ct);
    }

    private static string WebhookClientId(Inbox inbox) => "mailbox:" + inbox.Id;

    /// <summary>
    /// A local part from the handle (letters, digits, dot, dash, underscore kept, lower-cased, anything else a dash),
    /// or a random one when there is no handle or nothing of it is left.
    /// </summary>
    private static string LocalPartFor(string? handle)
    {
        var text = new StringBuilder();
        foreach (var c in (handle ?? "").ToLowerInvariant())
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        var local = text.ToString().Trim('.', '-');
        while (local.Contains("..")) local = local.Replace("..", ".");
        if (local.Length > 64) local = local[..64].TrimEnd('.', '-');
        return local.Length > 0 ? local : "agent-" + Ids.Sortable()[^8..];
    }
}

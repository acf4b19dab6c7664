using System.Text;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;

namespace Mailroom.Core.Agents;

/// <summary>A mailbox to create: an inbox, linked to the agent named, on the local part given or one made from the handle.</summary>
public sealed record NewMailbox(string? AgentHandle, string? DisplayName, string? EmailLocalPart);

/// <summary>
/// Mailboxes are inboxes, created and named by address for agents: the same row, threads and messages as the
/// inbox in every other dialect.
/// </summary>
public sealed class MailboxService(InboxService inboxService, IInboxRepository inboxes, AgentService agentService, ITransactionRunner transactions)
{
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
